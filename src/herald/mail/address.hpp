// mail::Address and the RFC 5321 path grammar (reverse-path / forward-path,
// with the RFC 6531 SMTPUTF8 extension). Pure parsing: no DNS, no IDNA
// conversion (U-labels are validated as UTF-8 and kept as written).
#pragma once

#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::mail {

// RFC 5321 §4.5.3.1 size limits, in octets.
inline constexpr std::size_t kMaxLocalPart = 64;
inline constexpr std::size_t kMaxDomain = 255;
inline constexpr std::size_t kMaxPath = 256;  // including "<" and ">"

struct Address {
  std::string local_part;  // as written; a quoted local part keeps its quotes
  std::string domain;      // as written: a domain or an address literal "[...]"

  // "local@domain".
  std::string to_string() const;
  // Domain lower-cased in ASCII only (U-labels are left as written, address
  // literals are lower-cased too so "IPv6:" compares equal to "ipv6:").
  std::string normalized_domain() const;
  bool is_address_literal() const { return !domain.empty() && domain.front() == '['; }
  bool has_quoted_local_part() const { return !local_part.empty() && local_part.front() == '"'; }

  friend bool operator==(const Address&, const Address&) = default;
};

struct ParsedPath {
  bool null = false;  // "<>": the null reverse-path (bounces); address is empty
  Address address;
};

enum class PathKind {
  forward,  // RCPT TO: the null path is refused
  reverse,  // MAIL FROM: "<>" is allowed
};

// Parses "<...>" exactly (no surrounding spaces). A source route "@a,@b:" is
// checked and dropped (RFC 5321 §4.1.2, Appendix C). Non-ASCII octets are
// accepted only when `smtputf8` is true, and must then be valid UTF-8.
base::Result<ParsedPath> parse_path(std::string_view text, bool smtputf8,
                                    PathKind kind = PathKind::forward);

// Parses "local@domain" without angle brackets (same rules as in a path).
base::Result<Address> parse_mailbox(std::string_view text, bool smtputf8);

// Dot-separated LDH labels (1..63 octets each, no leading/trailing hyphen),
// at most 255 octets, no trailing dot. With `utf8`, labels may hold
// non-ASCII UTF-8 (U-labels). `allow_underscore` is for EHLO names only.
bool is_valid_domain(std::string_view domain, bool utf8, bool allow_underscore = false);

// "[1.2.3.4]" or "[IPv6:...]" (RFC 5321 §4.1.3).
bool is_valid_address_literal(std::string_view literal);

// Well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace herald::mail
