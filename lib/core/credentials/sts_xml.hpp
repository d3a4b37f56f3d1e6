// SPDX-License-Identifier: BSL-1.0
// A small XML reader for STS replies (awsQuery protocol): elements, text, entities and CDATA; attributes,
// comments and the prolog are skipped. It refuses a DOCTYPE, bounds depth and size, and always moves
// forward, so a malformed or hostile reply ends in an error, never in a crash or a loop.
#ifndef DYNALOCK_CORE_CREDENTIALS_STS_XML_HPP
#define DYNALOCK_CORE_CREDENTIALS_STS_XML_HPP

#include <boost/system/result.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::core {

struct xml_element {
    std::string name; ///< the local name: a namespace prefix ("sts:Credentials") is dropped
    std::string text; ///< the decoded character data directly inside it (all of it, in order)
    std::vector<xml_element> children;

    /// The first child named `name`, or nullptr.
    const xml_element* child(std::string_view name) const noexcept;
    /// Follows `path` child by child from this element; nullptr when a step is missing.
    const xml_element* find(std::initializer_list<std::string_view> path) const noexcept;
};

inline constexpr std::size_t max_xml_depth = 32;
inline constexpr std::size_t max_xml_elements = 4096;

/// Parses a document with exactly one root element. On error: errc::malformed_response and a message
/// saying what was wrong and at which byte offset (never quoting the text, which may hold a secret).
boost::system::result<xml_element> parse_xml(std::string_view text, std::string& message);

} // namespace dynalock::core

#endif
