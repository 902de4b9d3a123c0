// Response serialization. Header values come from handlers that may echo
// user input (a name, a Location), so every value is cleaned here, at the
// last point before the wire, rather than trusted from each caller.
#include "herald/http/response.hpp"

#include <nlohmann/json.hpp>

#include "herald/http/chars.hpp"

namespace herald::http {
namespace {

// Octets allowed in a field value as sent: HTAB, SP, VCHAR, obs-text. Any
// other (CR, LF, NUL, DEL, ...) becomes a space so the field stays one line.
std::string clean_value(std::string_view v) {
  std::string out(chars::trim_ows(v));
  for (char& c : out) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t') || b == 0x7F) c = ' ';
  }
  return std::string(chars::trim_ows(out));
}

bool framing_field(std::string_view name) {
  return chars::iequals(name, "content-length") || chars::iequals(name, "transfer-encoding") ||
         chars::iequals(name, "connection");
}

}  // namespace

Response& Response::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string serialize(const Response& response, bool keep_alive) {
  const int status = response.status >= 100 && response.status <= 599 ? response.status : 500;
  const bool bodiless = status < 200 || status == 204 || status == 304;

  std::string out;
  out.reserve(128 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    // A name that is not a token cannot be repaired into the intended one.
    if (!chars::is_token(name) || framing_field(name)) continue;
    out += name;
    out += ": ";
    out += clean_value(value);
    out += "\r\n";
  }
  if (!bodiless) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  if (!keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  if (!bodiless) out += response.body;
  return out;
}

std::string_view continue_response() {
  return "HTTP/1.1 100 Continue\r\n\r\n";
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response json_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = dump_json(body);
  return r;
}

Response empty_response(int status) {
  Response r;
  r.status = status;
  return r;
}

}  // namespace herald::http
