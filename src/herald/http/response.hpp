// http::Response and serialize(): status, fields and body into HTTP/1.1 octets
// that no header value can split (controls replaced, bad names dropped).
// Never touches a socket, clock or disk.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::http {

struct Response {
  int status = 200;
  // Content-Length, Transfer-Encoding and Connection are set by serialize()
  // and dropped if given here.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Appends a header field (no check here; serialize() sanitizes).
  Response& with_header(std::string name, std::string value);
};

// The reason phrase of a status ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status);

// The whole response: "HTTP/1.1 <status> <reason>", the given fields,
// Content-Length (always, except for 1xx, 204 and 304, which carry no body:
// RFC 9110 §8.6 forbids it for 1xx and 204, and a 304's length would have to
// be that of the 200 it stands for), "Connection: close" when !keep_alive,
// then the body. A status outside 100..599 is sent as 500. There is no HEAD
// support here: the router registers no HEAD routes.
std::string serialize(const Response& response, bool keep_alive);

// "HTTP/1.1 100 Continue" CRLF CRLF, for RequestParser::expects_continue().
std::string_view continue_response();

// A JSON body with Content-Type application/json. Strings that are not
// valid UTF-8 are written with U+FFFD instead of throwing.
Response json_response(int status, const nlohmann::json& body);

// No body (e.g. 204 after a DELETE).
Response empty_response(int status);

// json.dump() that never throws: invalid UTF-8 becomes U+FFFD.
std::string dump_json(const nlohmann::json& value);

}  // namespace herald::http
