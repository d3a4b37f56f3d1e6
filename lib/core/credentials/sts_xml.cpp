// SPDX-License-Identifier: BSL-1.0
#include "core/credentials/sts_xml.hpp"

#include <dynalock/error.hpp>

#include "core/validation.hpp"

#include <cstdint>
#include <utility>

namespace dynalock::core {

namespace {

using boost::system::result;

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_name_char(char c) noexcept {
    return !is_space(c) && c != '<' && c != '>' && c != '/' && c != '=' && c != '"' && c != '\'' &&
           c != '&' && c != '\0';
}

std::string_view local_name(std::string_view qualified) noexcept {
    auto colon = qualified.rfind(':');
    return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Decodes one reference (`&name;` without the `&` and `;`). False when unknown or out of range.
bool decode_reference(std::string_view ref, std::string& out) {
    if (ref == "amp")
        out += '&';
    else if (ref == "lt")
        out += '<';
    else if (ref == "gt")
        out += '>';
    else if (ref == "quot")
        out += '"';
    else if (ref == "apos")
        out += '\'';
    else if (ref.size() >= 2 && ref[0] == '#') {
        bool hex = ref[1] == 'x' || ref[1] == 'X';
        auto digits = ref.substr(hex ? 2 : 1);
        if (digits.empty() || digits.size() > 8)
            return false;
        std::uint32_t cp = 0;
        for (char c : digits) {
            std::uint32_t d;
            if (c >= '0' && c <= '9')
                d = static_cast<std::uint32_t>(c - '0');
            else if (hex && c >= 'a' && c <= 'f')
                d = static_cast<std::uint32_t>(c - 'a' + 10);
            else if (hex && c >= 'A' && c <= 'F')
                d = static_cast<std::uint32_t>(c - 'A' + 10);
            else
                return false;
            cp = cp * (hex ? 16u : 10u) + d;
        }
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        append_utf8(out, cp);
    } else {
        return false;
    }
    return true;
}

class parser {
public:
    parser(std::string_view text, std::string& message) : s_(text), message_(message) {}

    result<xml_element> run() {
        if (s_.substr(0, 3) == "\xEF\xBB\xBF")
            pos_ = 3;
        std::vector<xml_element> stack;
        bool have_root = false;
        xml_element root;
        while (pos_ < s_.size()) {
            if (s_[pos_] != '<') {
                auto end = s_.find('<', pos_);
                if (end == std::string_view::npos)
                    end = s_.size();
                auto raw = s_.substr(pos_, end - pos_);
                if (stack.empty()) {
                    for (char c : raw) {
                        if (!is_space(c))
                            return error("text outside the root element");
                    }
                } else if (!decode_text(raw, stack.back().text)) {
                    return error("a malformed character or entity reference");
                }
                pos_ = end;
                continue;
            }
            auto rest = s_.substr(pos_);
            if (rest.starts_with("<?")) {
                if (!skip_past("?>"))
                    return error("an unterminated processing instruction");
            } else if (rest.starts_with("<!--")) {
                if (!skip_past("-->"))
                    return error("an unterminated comment");
            } else if (rest.starts_with("<![CDATA[")) {
                if (stack.empty())
                    return error("CDATA outside the root element");
                auto end = s_.find("]]>", pos_ + 9);
                if (end == std::string_view::npos)
                    return error("an unterminated CDATA section");
                stack.back().text.append(s_.substr(pos_ + 9, end - pos_ - 9));
                pos_ = end + 3;
            } else if (rest.starts_with("<!")) {
                return error("a DOCTYPE or declaration, which an STS reply never has");
            } else if (rest.starts_with("</")) {
                pos_ += 2;
                auto name = read_name();
                skip_spaces();
                if (pos_ >= s_.size() || s_[pos_] != '>')
                    return error("a malformed end tag");
                ++pos_;
                if (stack.empty() || stack.back().name != local_name(name))
                    return error("an end tag that does not match the open element");
                xml_element done = std::move(stack.back());
                stack.pop_back();
                if (stack.empty()) {
                    root = std::move(done);
                    have_root = true;
                } else {
                    stack.back().children.push_back(std::move(done));
                }
            } else {
                if (have_root && stack.empty())
                    return error("a second root element");
                ++pos_;
                auto name = read_name();
                if (name.empty())
                    return error("a malformed start tag");
                if (++elements_ > max_xml_elements)
                    return error("too many elements");
                bool self_closing = false;
                if (!skip_attributes(self_closing))
                    return error("a malformed start tag");
                xml_element e;
                e.name = std::string(local_name(name));
                if (self_closing) {
                    if (stack.empty()) {
                        root = std::move(e);
                        have_root = true;
                    } else {
                        stack.back().children.push_back(std::move(e));
                    }
                } else {
                    if (stack.size() >= max_xml_depth)
                        return error("elements nested too deeply");
                    stack.push_back(std::move(e));
                }
            }
        }
        if (!stack.empty())
            return error("the document ends inside an element");
        if (!have_root)
            return error("no element");
        return root;
    }

private:
    error_code error(std::string_view what) {
        return detail::fail(errc::malformed_response, message_,
                            "malformed XML: " + std::string(what) + " at byte " + std::to_string(pos_));
    }

    bool skip_past(std::string_view end) {
        auto at = s_.find(end, pos_ + 2);
        if (at == std::string_view::npos)
            return false;
        pos_ = at + end.size();
        return true;
    }

    void skip_spaces() noexcept {
        while (pos_ < s_.size() && is_space(s_[pos_]))
            ++pos_;
    }

    std::string_view read_name() noexcept {
        auto start = pos_;
        while (pos_ < s_.size() && is_name_char(s_[pos_]))
            ++pos_;
        return s_.substr(start, pos_ - start);
    }

    // After the name of a start tag: attributes up to `>` or `/>`.
    bool skip_attributes(bool& self_closing) {
        for (;;) {
            bool had_space = pos_ < s_.size() && is_space(s_[pos_]);
            skip_spaces();
            if (pos_ >= s_.size())
                return false;
            if (s_[pos_] == '>') {
                ++pos_;
                return true;
            }
            if (s_[pos_] == '/') {
                if (pos_ + 1 >= s_.size() || s_[pos_ + 1] != '>')
                    return false;
                pos_ += 2;
                self_closing = true;
                return true;
            }
            if (!had_space || read_name().empty())
                return false;
            skip_spaces();
            if (pos_ >= s_.size() || s_[pos_] != '=')
                return false;
            ++pos_;
            skip_spaces();
            if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\''))
                return false;
            auto close = s_.find(s_[pos_], pos_ + 1);
            if (close == std::string_view::npos)
                return false;
            pos_ = close + 1;
        }
    }

    static bool decode_text(std::string_view raw, std::string& out) {
        std::size_t i = 0;
        while (i < raw.size()) {
            auto amp = raw.find('&', i);
            if (amp == std::string_view::npos) {
                out.append(raw.substr(i));
                return true;
            }
            out.append(raw.substr(i, amp - i));
            auto semi = raw.find(';', amp + 1);
            if (semi == std::string_view::npos || semi - amp > 12)
                return false;
            if (!decode_reference(raw.substr(amp + 1, semi - amp - 1), out))
                return false;
            i = semi + 1;
        }
        return true;
    }

    std::string_view s_;
    std::string& message_;
    std::size_t pos_ = 0;
    std::size_t elements_ = 0;
};

} // namespace

const xml_element* xml_element::child(std::string_view child_name) const noexcept {
    for (const auto& c : children) {
        if (c.name == child_name)
            return &c;
    }
    return nullptr;
}

const xml_element* xml_element::find(std::initializer_list<std::string_view> path) const noexcept {
    const xml_element* at = this;
    for (auto step : path) {
        at = at->child(step);
        if (at == nullptr)
            return nullptr;
    }
    return at;
}

result<xml_element> parse_xml(std::string_view text, std::string& message) {
    return parser(text, message).run();
}

} // namespace dynalock::core
