// RequestParser framing: octets into CRLF lines, the request line, and the
// Content-Length body. Field lines and the checks made once the header
// section is complete live in request_fields.cpp.
//
// Every check is made at a fixed octet (the one crossing a limit, or the LF
// ending a line), so where a request ends or fails never depends on how the
// input was cut into reads: two readings of one stream are what request
// smuggling feeds on.
#include "herald/http/request_parser.hpp"

#include <algorithm>

#include "herald/http/chars.hpp"

namespace herald::http {

int status_of(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::bad_request:
      return 400;
    case ParseErrorCode::length_required:
      return 411;
    case ParseErrorCode::too_large_body:
      return 413;
    case ParseErrorCode::uri_too_long:
      return 414;
    case ParseErrorCode::expectation_failed:
      return 417;
    case ParseErrorCode::too_large_headers:
      return 431;
    case ParseErrorCode::not_implemented:
      return 501;
    case ParseErrorCode::version_not_supported:
      return 505;
  }
  return 400;
}

const std::string* Request::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (chars::iequals(n, name)) return &v;
  }
  return nullptr;
}

void RequestParser::reset() {
  state_ = State::request_line;
  line_.clear();
  cr_ = false;
  leading_crlf_ = false;
  header_bytes_ = 0;
  body_left_ = 0;
  expect_continue_ = false;
  request_ = Request{};
  error_.reset();
}

Request RequestParser::take() {
  Request out = std::move(request_);
  request_ = Request{};
  return out;
}

void RequestParser::fail(ParseErrorCode code, std::string message) {
  state_ = State::failed;
  error_ = ParseError{code, std::move(message)};
}

std::size_t RequestParser::feed(std::string_view input) {
  std::size_t i = 0;
  while (i < input.size()) {
    switch (state_) {
      case State::request_line:
      case State::headers:
        on_octet_in_line(input[i++]);
        break;
      case State::body: {
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, input.size() - i));
        request_.body.append(input.substr(i, n));
        i += n;
        body_left_ -= n;
        if (body_left_ == 0) state_ = State::done;
        break;
      }
      case State::done:
      case State::failed:
        return i;
    }
  }
  return i;
}

void RequestParser::on_octet_in_line(char c) {
  if (state_ == State::headers && ++header_bytes_ > limits_.max_header_bytes) {
    fail(ParseErrorCode::too_large_headers, "The header section is longer than " +
                                                std::to_string(limits_.max_header_bytes) +
                                                " octets; send fewer or shorter header fields.");
    return;
  }
  if (cr_) {
    cr_ = false;
    if (c != '\n') {
      fail(ParseErrorCode::bad_request,
           "A CR not followed by LF was received; end lines with CRLF.");
      return;
    }
    on_line();
    line_.clear();
    return;
  }
  if (c == '\r') {
    cr_ = true;
    return;
  }
  if (c == '\n') {
    fail(ParseErrorCode::bad_request, "A bare LF was received; end lines with CRLF.");
    return;
  }
  line_.push_back(c);
  if (state_ == State::request_line && line_.size() > limits_.max_request_line) {
    fail(ParseErrorCode::uri_too_long, "The request line is longer than " +
                                           std::to_string(limits_.max_request_line) +
                                           " octets; shorten the path or query.");
  }
}

void RequestParser::on_line() {
  if (state_ == State::request_line) {
    // RFC 9112 §2.2: one empty line before a request is tolerated (some
    // clients send a CRLF after a POST body); more is not a request.
    if (line_.empty() && !leading_crlf_) {
      leading_crlf_ = true;
      return;
    }
    on_request_line();
  } else if (line_.empty()) {
    on_header_end();
  } else {
    on_field_line();
  }
}

namespace {

// origin-form = absolute-path [ "?" query ] (RFC 9112 §3.2.1), with every
// octet checked against RFC 3986: no spaces, controls, '#', raw non-ASCII
// or stray '%'. Decoding is left to the router.
bool valid_origin_form(std::string_view t) {
  if (t.empty() || t.front() != '/') return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '%') {
      if (t.size() - i < 3 || !chars::is_hex(t[i + 1]) || !chars::is_hex(t[i + 2])) return false;
      i += 2;
    } else if (!(chars::is_pchar(c) || c == '/' || c == '?')) {
      return false;
    }
  }
  return true;
}

}  // namespace

void RequestParser::on_request_line() {
  const std::string_view line = line_;
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    fail(ParseErrorCode::bad_request,
         "The request line must be METHOD, target and HTTP version separated by single spaces.");
    return;
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);

  if (!chars::is_token(method)) {
    fail(ParseErrorCode::bad_request, "The request method is not a token.");
    return;
  }
  // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
  const bool version_syntax = version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
                              chars::is_digit(version[5]) && version[6] == '.' &&
                              chars::is_digit(version[7]);
  if (!version_syntax) {
    fail(ParseErrorCode::bad_request, "The request line does not end in an HTTP version.");
    return;
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    fail(ParseErrorCode::version_not_supported,
         "HTTP version " + std::string(version.substr(5)) + " is not supported; use HTTP/1.1.");
    return;
  }
  // Only origin-form: the admin API is never a proxy, so absolute-form,
  // authority-form (CONNECT) and asterisk-form (OPTIONS *) are refused
  // rather than given a second source of the host name.
  if (!valid_origin_form(target)) {
    fail(ParseErrorCode::bad_request,
         "The request target must be an absolute path with an optional query, made of URI "
         "characters (percent-encode anything else).");
    return;
  }
  request_.method = std::string(method);
  request_.target = std::string(target);
  const auto q = target.find('?');
  request_.path = std::string(target.substr(0, q));
  request_.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
  request_.minor_version = version[7] - '0';
  state_ = State::headers;
}

}  // namespace herald::http
