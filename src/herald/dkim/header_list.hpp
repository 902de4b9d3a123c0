// dkim::header_list — splits a message's header section into fields, keeping
// each field's raw text (folding included) so either canonicalization can be
// applied, and picks signed fields bottom-up (RFC 6376 §5.4.2). No decoding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::dkim {

struct HeaderField {
  std::string name;  // as written, without trailing white space
  std::string raw;   // the whole field, folding and final CRLF included
};

// Parses CRLF-terminated, possibly folded fields. A header section may end
// with the empty line or not. Refuses a line without a colon, a continuation
// line before any field and a bare LF, since DKIM hashes exact bytes.
base::Result<std::vector<HeaderField>> parse_header_section(std::string_view section);

struct MessageParts {
  std::string_view header_section;  // up to and including the CRLF ending the last field
  std::string_view body;            // after the empty line; empty if there is none
};

// Splits at the first empty line.
MessageParts split_message(std::string_view message);

bool header_name_equals(std::string_view a, std::string_view b);

// For each name in `names` (in order), the bottom-most field with that name not
// already picked, or nullptr when none is left (an over-signed name).
std::vector<const HeaderField*> select_fields(const std::vector<HeaderField>& fields,
                                              const std::vector<std::string>& names);

}  // namespace herald::dkim
