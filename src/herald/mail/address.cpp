// RFC 5321 §4.1.2 path grammar with the RFC 6531 UTF-8 additions, written
// by hand because it is the product's own front door: every byte of a
// client's MAIL/RCPT argument passes through here before any policy sees it.
#include "herald/mail/address.hpp"

#include <arpa/inet.h>

#include <cstdint>

#include "herald/base/ascii.hpp"

namespace herald::mail {
namespace {

using base::ascii_lower;
using base::iequals;

bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

// RFC 5322 atext, plus UTF8-non-ascii under SMTPUTF8 (checked as UTF-8 later).
bool is_atext(unsigned char c, bool utf8) {
  if (is_alpha(c) || is_digit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '/':
    case '=':
    case '?':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
      return true;
    default:
      return utf8 && c >= 0x80;
  }
}

bool has_non_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

base::Error error(std::string message) {
  return base::make_error(std::move(message));
}

// Dot-string = Atom *("." Atom)
bool is_dot_string(std::string_view s, bool utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  bool prev_dot = false;
  for (unsigned char c : s) {
    if (c == '.') {
      if (prev_dot) return false;
      prev_dot = true;
      continue;
    }
    prev_dot = false;
    if (!is_atext(c, utf8)) return false;
  }
  return true;
}

// Quoted-string = DQUOTE *QcontentSMTP DQUOTE; returns the length of the
// quoted string at the start of `s` (quotes included), or 0 when malformed.
std::size_t quoted_string_length(std::string_view s, bool utf8) {
  if (s.empty() || s.front() != '"') return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {
      // quoted-pairSMTP = "\" %d32-126: no control characters, even escaped.
      if (i + 1 >= s.size()) return 0;
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next < 32 || next > 126) return 0;
      ++i;
      continue;
    }
    const bool qtext = (c >= 32 && c <= 126) || (utf8 && c >= 0x80);
    if (!qtext) return 0;
  }
  return 0;
}

bool is_ipv4_literal(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    unsigned value = 0;
    while (i < s.size() && is_digit(static_cast<unsigned char>(s[i])) && digits < 4) {
      value = value * 10 + static_cast<unsigned>(s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    ++parts;
    if (i == s.size()) return parts == 4;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
}

base::Result<Address> parse_mailbox_impl(std::string_view text, bool utf8) {
  std::string_view local;
  std::string_view domain;
  if (!text.empty() && text.front() == '"') {
    const std::size_t n = quoted_string_length(text, utf8);
    if (n == 0) return error("The quoted local part of the address is malformed.");
    if (n >= text.size() || text[n] != '@') {
      return error("The address needs an @ and a domain after the quoted local part.");
    }
    local = text.substr(0, n);
    domain = text.substr(n + 1);
  } else {
    const std::size_t at = text.find('@');
    if (at == std::string_view::npos) {
      return error("The address needs a domain, as in user@example.com.");
    }
    local = text.substr(0, at);
    domain = text.substr(at + 1);
    if (local.empty()) return error("The address has an empty local part before the @.");
    if (!is_dot_string(local, utf8)) {
      return error(
          "The local part of the address contains characters that need quoting, or a "
          "misplaced dot.");
    }
  }
  if (local.size() > kMaxLocalPart) {
    return error("The local part of the address is longer than 64 octets.");
  }
  if (domain.empty()) return error("The address has no domain after the @.");
  if (domain.size() > kMaxDomain) return error("The domain is longer than 255 octets.");
  if (domain.front() == '[') {
    if (!is_valid_address_literal(domain)) {
      return error("The address literal must be [IPv4] or [IPv6:address].");
    }
  } else if (!is_valid_domain(domain, utf8)) {
    return error(
        "The domain of the address is not a valid host name (letters, digits, hyphens and "
        "dots; no trailing dot).");
  }
  if (has_non_ascii(text)) {
    if (!utf8) {
      return error("The address contains non-ASCII characters; use the SMTPUTF8 parameter.");
    }
    if (!is_valid_utf8(text)) return error("The address is not valid UTF-8.");
  }
  return Address{std::string(local), std::string(domain)};
}

}  // namespace

std::string Address::to_string() const {
  std::string out;
  out.reserve(local_part.size() + 1 + domain.size());
  out += local_part;
  out += '@';
  out += domain;
  return out;
}

std::string Address::normalized_domain() const {
  std::string out = domain;
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;  // continuation byte, C0/C1 overlong lead, or > U+10FFFF
    }
    if (i + len > text.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool is_valid_domain(std::string_view domain, bool utf8, bool allow_underscore) {
  if (domain.empty() || domain.size() > kMaxDomain) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const std::string_view label = domain.substr(start, end - start);
    // Empty label covers leading dots, ".." and a trailing dot.
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label) {
      const bool ok = is_alpha(c) || is_digit(c) || c == '-' || (allow_underscore && c == '_') ||
                      (utf8 && c >= 0x80);
      if (!ok) return false;
    }
    if (end == domain.size()) break;
    start = end + 1;
  }
  return !has_non_ascii(domain) || is_valid_utf8(domain);
}

bool is_valid_address_literal(std::string_view literal) {
  if (literal.size() < 3 || literal.front() != '[' || literal.back() != ']') return false;
  const std::string_view inner = literal.substr(1, literal.size() - 2);
  constexpr std::string_view kTag = "IPv6:";
  if (inner.size() > kTag.size() && iequals(inner.substr(0, kTag.size()), kTag)) {
    const std::string_view addr = inner.substr(kTag.size());
    if (addr.size() > 45) return false;  // longest textual IPv6 (with embedded IPv4)
    for (unsigned char c : addr) {
      if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
            c == '.')) {
        return false;
      }
    }
    // inet_pton is a pure text-to-bytes conversion; it implements exactly the
    // IPv6 textual forms RFC 5321 §4.1.3 allows (full, compressed, v4-mapped).
    const std::string copy(addr);
    unsigned char buf[16];
    return inet_pton(AF_INET6, copy.c_str(), buf) == 1;
  }
  return is_ipv4_literal(inner);
}

base::Result<Address> parse_mailbox(std::string_view text, bool smtputf8) {
  return parse_mailbox_impl(text, smtputf8);
}

base::Result<ParsedPath> parse_path(std::string_view text, bool smtputf8, PathKind kind) {
  if (text.size() < 2 || text.front() != '<' || text.back() != '>') {
    return error("The address must be enclosed in angle brackets, as in <user@example.com>.");
  }
  if (text.size() > kMaxPath) return error("The address is longer than 256 octets.");
  std::string_view inner = text.substr(1, text.size() - 2);
  if (inner.empty()) {
    if (kind == PathKind::reverse) return ParsedPath{true, {}};
    return error("A recipient address is required; <> is only allowed as a sender.");
  }
  if (inner.front() == '@') {
    // A-d-l = At-domain *( "," At-domain ) ":" ; checked, then ignored as
    // RFC 5321 §3.3 asks of servers.
    const std::size_t colon = inner.find(':');
    if (colon == std::string_view::npos) {
      return error("The source route before the address is missing its colon.");
    }
    std::string_view route = inner.substr(0, colon);
    while (!route.empty()) {
      if (route.front() != '@') return error("The source route before the address is malformed.");
      std::size_t comma = route.find(',');
      const std::string_view hop =
          route.substr(1, comma == std::string_view::npos ? std::string_view::npos : comma - 1);
      if (!is_valid_domain(hop, smtputf8)) {
        return error("The source route before the address names an invalid domain.");
      }
      if (comma == std::string_view::npos) break;
      route.remove_prefix(comma + 1);
      if (route.empty()) return error("The source route before the address is malformed.");
    }
    inner.remove_prefix(colon + 1);
  }
  auto mailbox = parse_mailbox_impl(inner, smtputf8);
  if (!mailbox) return mailbox.error();
  return ParsedPath{false, std::move(mailbox).value()};
}

}  // namespace herald::mail
