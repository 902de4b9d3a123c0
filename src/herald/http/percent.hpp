// http percent-decoding (RFC 3986 §2.1) and UTF-8 validation (RFC 3629) for
// path segments and query strings, applied after splitting, never before.
// Pure functions: never touch a socket, clock or disk; never throw.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace herald::http {

// Decodes %XX escapes; with plus_is_space (query strings, HTML forms) a '+'
// becomes a space. nullopt if a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

// True if `s` is well-formed UTF-8: no overlong forms (so "%c0%af" is not a
// '/'), no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s);

// True if `s` holds a C0 control (NUL included), DEL, or a C1 control
// (U+0080..U+009F, as UTF-8). `s` must be valid UTF-8.
bool has_control(std::string_view s);

}  // namespace herald::http
