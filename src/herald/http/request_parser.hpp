// http::RequestParser — reads HTTP/1.1 requests (RFC 9112) for the admin API
// from fragments of any size: request line, fields, a Content-Length body.
// Never touches a socket, clock or disk; refuses what it does not understand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::http {

// One parsed request. Nothing in it is percent-decoded: the router decodes
// path segments one by one, after splitting (see router.hpp).
struct Request {
  std::string method;  // a token, case-sensitive ("GET")
  std::string target;  // origin-form as sent: path [ "?" query ]
  std::string path;    // target up to the first '?'
  std::string query;   // after the first '?', without it; empty if none
  // In arrival order, names lower-cased, values trimmed of surrounding
  // spaces and tabs. Host, Content-Type and Authorization occur at most once.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int minor_version = 1;   // HTTP/1.<minor_version>: 0 or 1
  bool keep_alive = true;  // after RFC 9112 §9.3 defaults and Connection

  // The first field with this name (any case), or nullptr.
  const std::string* header(std::string_view name) const;

  bool operator==(const Request&) const = default;
};

// Why a request was refused. Each maps to exactly one HTTP status.
enum class ParseErrorCode {
  bad_request,            // 400: malformed syntax, bare CR/LF, bad Host, ...
  length_required,        // 411: POST/PUT/PATCH without Content-Length
  too_large_body,         // 413: Content-Length above Limits::max_body
  uri_too_long,           // 414: request line above Limits::max_request_line
  expectation_failed,     // 417: an Expect other than 100-continue
  too_large_headers,      // 431: header section or field count above limits
  not_implemented,        // 501: any Transfer-Encoding (chunked included)
  version_not_supported,  // 505: HTTP/2.0, HTTP/3.0, ...
};

int status_of(ParseErrorCode code);

struct ParseError {
  ParseErrorCode code = ParseErrorCode::bad_request;
  std::string message;  // one sentence for the client, naming the problem

  int status() const { return status_of(code); }
};

// Conservative defaults; an admin API needs none of them larger.
struct Limits {
  std::size_t max_request_line = 8 * 1024;   // octets, CRLF excluded
  std::size_t max_header_bytes = 16 * 1024;  // all field lines with CRLFs, final CRLF included
  std::size_t max_header_fields = 100;
  std::uint64_t max_body = 1024 * 1024;
  // POST, PUT and PATCH must state their length (411 otherwise): a client
  // that sends a body without Content-Length would have that body read as
  // the next pipelined request, so it is refused before that can happen.
  bool require_length_for_content = true;
};

// Reads one request at a time. Typical use, per connection:
//
//   std::size_t n = parser.feed(buffer);   buffer.erase(0, n);
//   if (parser.error())  -> send from_parse_error(*parser.error()), close
//   else if (parser.done()) -> handle parser.take(); parser.reset();
//   else if (parser.expects_continue() && !sent_100) -> send continue_response()
//
// After an error the connection must be closed: where the next request
// would start is no longer known.
class RequestParser {
 public:
  explicit RequestParser(Limits limits = {}) : limits_(limits) {}

  // Consumes octets and returns how many. It stops right after the end of
  // one complete request (so pipelined requests stay in the caller's
  // buffer) and right after the octet that revealed an error; after done()
  // or an error it consumes nothing. The outcome, the request and the total
  // consumed do not depend on how the input is cut into fragments.
  std::size_t feed(std::string_view input);

  bool done() const { return state_ == State::done; }
  const std::optional<ParseError>& error() const { return error_; }

  // Expect: 100-continue is honoured, not refused: true once the header
  // section of an HTTP/1.1 request that asked for it is accepted (limits,
  // Content-Length and all) and while its body is still awaited. The caller
  // then sends "100 Continue" once; a client may also send the body without
  // waiting, which is read the same way. An oversized body is refused (413)
  // before this could ever become true.
  bool expects_continue() const { return state_ == State::body && expect_continue_; }

  // The finished request (only after done()); leaves the parser empty.
  Request take();

  // Ready for the next request on the same connection (same limits).
  void reset();

 private:
  enum class State { request_line, headers, body, done, failed };

  void fail(ParseErrorCode code, std::string message);
  void on_octet_in_line(char c);
  void on_line();
  void on_request_line();
  void on_field_line();
  void on_header_end();

  Limits limits_;
  State state_ = State::request_line;
  std::string line_;           // current line without its CRLF
  bool cr_ = false;            // the previous octet was CR
  bool leading_crlf_ = false;  // the one empty line tolerated before a request
  std::size_t header_bytes_ = 0;
  std::uint64_t body_left_ = 0;
  bool expect_continue_ = false;
  Request request_;
  std::optional<ParseError> error_;
};

}  // namespace herald::http
