// RequestParser field lines (RFC 9112 §5) and the checks made once the
// header section is complete: Host, framing (Content-Length only, never
// Transfer-Encoding), Expect and Connection. Split from request_parser.cpp
// so each file holds one layer: octets and lines there, meaning here.
#include <algorithm>
#include <array>

#include "herald/http/chars.hpp"
#include "herald/http/request_parser.hpp"

namespace herald::http {
namespace {

// Fields that header() reports once: a second Host, Content-Type or
// Authorization would let two readers of the request disagree on which one
// counts, so it is refused instead of picked.
constexpr std::array<std::string_view, 3> kSingletons = {"host", "content-type", "authorization"};

// field-value octets: SP, HTAB, VCHAR and obs-text (RFC 9110 §5.5); any
// other control, NUL and DEL included, is refused.
bool valid_field_value(std::string_view v) {
  for (char c : v) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t') || b == 0x7F) return false;
  }
  return true;
}

// Host = uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2).
bool valid_host(std::string_view h) {
  std::string_view port;
  if (!h.empty() && h.front() == '[') {
    const auto close = h.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : h.substr(1, close - 1)) {
      if (!chars::is_hex(c) && c != ':' && c != '.') return false;
    }
    const std::string_view rest = h.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    port = rest.empty() ? rest : rest.substr(1);
  } else {
    const auto colon = h.rfind(':');
    const std::string_view name = h.substr(0, colon);
    if (colon != std::string_view::npos) port = h.substr(colon + 1);
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = name[i];
      if (c == '%') {
        if (name.size() - i < 3 || !chars::is_hex(name[i + 1]) || !chars::is_hex(name[i + 2])) {
          return false;
        }
        i += 2;
      } else if (!chars::is_unreserved(c) && !chars::is_sub_delim(c)) {
        return false;
      }
    }
  }
  return port.size() <= 5 && std::all_of(port.begin(), port.end(), chars::is_digit);
}

// Calls f(element) for each non-empty, OWS-trimmed element of a
// comma-separated list, across every field line with this name.
template <class F>
void for_each_element(const Request& r, std::string_view name, F f) {
  for (const auto& [n, v] : r.headers) {
    if (n != name) continue;
    std::string_view rest = v;
    while (true) {
      const auto comma = rest.find(',');
      const std::string_view element = chars::trim_ows(rest.substr(0, comma));
      if (!element.empty()) f(element);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
}

}  // namespace

void RequestParser::on_field_line() {
  const std::string_view line = line_;
  if (line.front() == ' ' || line.front() == '\t') {
    // obs-fold (RFC 9112 §5.2) is refused, not unfolded: a server that
    // unfolds and one that does not would see different fields.
    fail(ParseErrorCode::bad_request,
         "Obsolete line folding is not accepted; send each field on one line.");
    return;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    fail(ParseErrorCode::bad_request, "A header line has no colon; send \"name: value\".");
    return;
  }
  const std::string_view name = line.substr(0, colon);
  if (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
    // RFC 9112 §5.1: MUST be refused, it is a known smuggling vector.
    fail(ParseErrorCode::bad_request,
         "Whitespace between a header field name and its colon is not allowed.");
    return;
  }
  if (!chars::is_token(name)) {
    fail(ParseErrorCode::bad_request, "A header field name is not a token.");
    return;
  }
  const std::string_view value = chars::trim_ows(line.substr(colon + 1));
  if (!valid_field_value(value)) {
    fail(ParseErrorCode::bad_request,
         "The value of header field \"" + std::string(name) + "\" holds a control character.");
    return;
  }
  if (request_.headers.size() >= limits_.max_header_fields) {
    fail(ParseErrorCode::too_large_headers, "More than " +
                                                std::to_string(limits_.max_header_fields) +
                                                " header fields were sent; send fewer.");
    return;
  }
  std::string lower = chars::lower(name);
  if (std::find(kSingletons.begin(), kSingletons.end(), lower) != kSingletons.end() &&
      request_.header(lower) != nullptr) {
    fail(ParseErrorCode::bad_request,
         "Header field \"" + lower + "\" was sent more than once; send it once.");
    return;
  }
  request_.headers.emplace_back(std::move(lower), std::string(value));
}

void RequestParser::on_header_end() {
  Request& r = request_;
  const bool http11 = r.minor_version == 1;

  // RFC 9112 §3.2: exactly one Host in HTTP/1.1 (duplicates were already
  // refused as they arrived), and a well-formed one in any version.
  const std::string* host = r.header("host");
  if (http11 && host == nullptr) {
    fail(ParseErrorCode::bad_request, "HTTP/1.1 requests need a Host header field.");
    return;
  }
  if (host != nullptr && !valid_host(*host)) {
    fail(ParseErrorCode::bad_request, "The Host header field is not a valid host[:port].");
    return;
  }

  // Only Content-Length frames a body. Transfer-Encoding of any kind,
  // chunked included, is refused with 501 (RFC 9112 §6.1): admin requests
  // are small and their length is known, and with one framing method no
  // TE/CL disagreement can exist.
  if (r.header("transfer-encoding") != nullptr) {
    fail(ParseErrorCode::not_implemented,
         "Transfer-Encoding (chunked or any other) is not supported; send the body with "
         "Content-Length.");
    return;
  }

  // Content-Length: every value on every line must be digits and all must
  // agree (RFC 9110 §8.6 allows "5, 5"); leading zeros do not count.
  bool has_length = false;
  bool bad_length = false;
  std::string digits;  // the agreed value without leading zeros
  for_each_element(r, "content-length", [&](std::string_view element) {
    if (!std::all_of(element.begin(), element.end(), chars::is_digit)) {
      bad_length = true;
      return;
    }
    element.remove_prefix(std::min(element.find_first_not_of('0'), element.size()));
    if (has_length && digits != element) bad_length = true;
    has_length = true;
    digits = std::string(element);
  });
  for (const auto& [n, v] : r.headers) {
    if (n == "content-length" &&
        chars::trim_ows(v).find_first_not_of(", \t") == std::string::npos) {
      bad_length = true;  // an empty value, or only commas
    }
  }
  if (bad_length) {
    fail(ParseErrorCode::bad_request,
         "Content-Length must be one decimal number (repeated values must agree).");
    return;
  }
  std::uint64_t length = 0;
  if (has_length) {
    // 20 digits could overflow; anything that long is far above any limit.
    bool too_large = digits.size() > 19;
    for (std::size_t i = 0; !too_large && i < digits.size(); ++i) {
      length = length * 10 + static_cast<std::uint64_t>(digits[i] - '0');
    }
    if (too_large || length > limits_.max_body) {
      fail(ParseErrorCode::too_large_body,
           "The request body may be at most " + std::to_string(limits_.max_body) + " octets.");
      return;
    }
  } else if (limits_.require_length_for_content &&
             (r.method == "POST" || r.method == "PUT" || r.method == "PATCH")) {
    fail(ParseErrorCode::length_required,
         "A " + r.method +
             " request needs a Content-Length header (use \"Content-Length: 0\" for "
             "no body).");
    return;
  }

  // Expect: only 100-continue is known (RFC 9110 §10.1.1); HTTP/1.0 clients
  // cannot receive 1xx responses, so theirs is ignored.
  bool continue_asked = false;
  bool unknown_expectation = false;
  for_each_element(r, "expect", [&](std::string_view e) {
    if (chars::iequals(e, "100-continue")) {
      continue_asked = true;
    } else {
      unknown_expectation = true;
    }
  });
  if (unknown_expectation) {
    fail(ParseErrorCode::expectation_failed,
         "Only the \"100-continue\" expectation is supported; remove the Expect header field.");
    return;
  }
  expect_continue_ = continue_asked && http11 && length > 0;

  // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 closes unless
  // "keep-alive". "close" wins over "keep-alive" if both are sent.
  bool close = false;
  bool keep = false;
  for_each_element(r, "connection", [&](std::string_view option) {
    if (chars::iequals(option, "close")) close = true;
    if (chars::iequals(option, "keep-alive")) keep = true;
  });
  r.keep_alive = !close && (http11 || keep);

  body_left_ = length;
  state_ = length == 0 ? State::done : State::body;
}

}  // namespace herald::http
