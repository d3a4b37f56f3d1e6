// SPDX-License-Identifier: BSL-1.0
#include "clock_skew.hpp"

#include <array>

namespace dynalock::core {

namespace {

constexpr std::array<std::string_view, 7> short_weekdays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> long_weekdays{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                        "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A system_clock::time_point counts nanoseconds in 64 bits on libstdc++ (about 1678-2262): keep well inside.
constexpr int min_year = 1900;
constexpr int max_year = 2199;

// Reads the pieces of a date from left to right; every read fails softly.
class cursor {
public:
    explicit cursor(std::string_view s) noexcept : s_(s) {}

    bool at_end() const noexcept { return s_.empty(); }
    bool peek(char c) const noexcept { return !s_.empty() && s_.front() == c; }

    bool literal(std::string_view lit) noexcept {
        if (s_.substr(0, lit.size()) != lit)
            return false;
        s_.remove_prefix(lit.size());
        return true;
    }

    std::string_view letters() noexcept {
        std::size_t n = 0;
        while (n < s_.size() && ((s_[n] >= 'A' && s_[n] <= 'Z') || (s_[n] >= 'a' && s_[n] <= 'z')))
            ++n;
        auto word = s_.substr(0, n);
        s_.remove_prefix(n);
        return word;
    }

    // Exactly `min_digits` to `max_digits` decimal digits.
    std::optional<int> number(std::size_t min_digits, std::size_t max_digits) noexcept {
        std::size_t n = 0;
        int value = 0;
        while (n < s_.size() && n < max_digits && s_[n] >= '0' && s_[n] <= '9')
            value = value * 10 + (s_[n++] - '0');
        if (n < min_digits || (n < s_.size() && s_[n] >= '0' && s_[n] <= '9'))
            return std::nullopt;
        s_.remove_prefix(n);
        return value;
    }

    std::optional<unsigned> month() noexcept {
        auto word = letters();
        for (std::size_t i = 0; i < months.size(); ++i)
            if (word == months[i])
                return static_cast<unsigned>(i + 1);
        return std::nullopt;
    }

private:
    std::string_view s_;
};

template <std::size_t N>
bool is_one_of(std::string_view word, const std::array<std::string_view, N>& names) noexcept {
    for (auto n : names)
        if (word == n)
            return true;
    return false;
}

struct civil_time {
    int year = 0;
    unsigned month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
};

bool read_time_of_day(cursor& c, civil_time& t) noexcept {
    auto h = c.number(2, 2);
    if (!h || !c.literal(":"))
        return false;
    auto m = c.number(2, 2);
    if (!m || !c.literal(":"))
        return false;
    auto s = c.number(2, 2);
    if (!s)
        return false;
    t.hour = *h;
    t.minute = *m;
    t.second = *s;
    return true;
}

// "06 Nov 1994 08:49:37 GMT" (after "Sun, ").
bool read_rfc1123(cursor& c, civil_time& t) noexcept {
    auto day = c.number(1, 2);
    if (!day || !c.literal(" "))
        return false;
    auto month = c.month();
    if (!month || !c.literal(" "))
        return false;
    auto year = c.number(4, 4);
    if (!year || !c.literal(" ") || !read_time_of_day(c, t) || !c.literal(" GMT"))
        return false;
    t.day = *day;
    t.month = *month;
    t.year = *year;
    return true;
}

// "06-Nov-94 08:49:37 GMT" (after "Sunday, ").
bool read_rfc850(cursor& c, civil_time& t) noexcept {
    auto day = c.number(2, 2);
    if (!day || !c.literal("-"))
        return false;
    auto month = c.month();
    if (!month || !c.literal("-"))
        return false;
    auto year = c.number(2, 2);
    if (!year || !c.literal(" ") || !read_time_of_day(c, t) || !c.literal(" GMT"))
        return false;
    t.day = *day;
    t.month = *month;
    t.year = *year + (*year >= 70 ? 1900 : 2000);
    return true;
}

// "Nov  6 08:49:37 1994" (after "Sun ").
bool read_asctime(cursor& c, civil_time& t) noexcept {
    auto month = c.month();
    if (!month || !c.literal(" "))
        return false;
    c.literal(" "); // a one-digit day is padded with a space
    auto day = c.number(1, 2);
    if (!day || !c.literal(" ") || !read_time_of_day(c, t) || !c.literal(" "))
        return false;
    auto year = c.number(4, 4);
    if (!year)
        return false;
    t.day = *day;
    t.month = *month;
    t.year = *year;
    return true;
}

bool is_leap_year(int y) noexcept {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int year, unsigned month) noexcept {
    constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

bool in_range(const civil_time& t) noexcept {
    // A leap second (:60) is accepted and lands on the next minute's first second.
    return t.year >= min_year && t.year <= max_year && t.month >= 1 && t.month <= 12 && t.day >= 1 &&
           t.day <= days_in_month(t.year, t.month) && t.hour <= 23 && t.minute <= 59 && t.second <= 60;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.substr(0, prefix.size()) == prefix;
}

} // namespace

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) noexcept {
    cursor c{trim(text)};
    civil_time t;
    auto weekday = c.letters();
    bool ok;
    if (c.literal(", "))
        ok = (is_one_of(weekday, short_weekdays) && read_rfc1123(c, t)) ||
             (is_one_of(weekday, long_weekdays) && read_rfc850(c, t));
    else
        ok = is_one_of(weekday, short_weekdays) && c.literal(" ") && read_asctime(c, t);
    if (!ok || !c.at_end() || !in_range(t))
        return std::nullopt;

    const std::int64_t days = days_from_civil(t.year, t.month, static_cast<unsigned>(t.day));
    const std::int64_t seconds = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
    return std::chrono::system_clock::time_point{
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::seconds{seconds})};
}

bool clock_offset::observe(std::chrono::system_clock::time_point server_date,
                           std::chrono::system_clock::time_point local_now) noexcept {
    const auto skew = server_date - adjust(local_now);
    if (skew < clock_skew_threshold && -skew < clock_skew_threshold)
        return false;
    return correct(server_date, local_now);
}

bool clock_offset::correct(std::chrono::system_clock::time_point server_date,
                           std::chrono::system_clock::time_point local_now) noexcept {
    const auto offset = std::chrono::duration_cast<std::chrono::milliseconds>(server_date - local_now);
    return offset_ms_.exchange(offset.count(), std::memory_order_relaxed) != offset.count();
}

bool is_clock_skew_error(const error_reply& reply) noexcept {
    const std::string_view type = reply.type;
    if (type == "InvalidSignatureException") {
        const std::string_view message = reply.message;
        return starts_with(message, "Signature expired") || starts_with(message, "Signature not yet current");
    }
    return type == "RequestTimeTooSkewed" || type == "RequestExpired" || type == "RequestInTheFuture";
}

} // namespace dynalock::core
