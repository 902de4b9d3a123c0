// libFuzzer target for http::RequestParser: a stream of pipelined requests
// must be read the same way whatever the fragmentation (same requests, same
// error, same octets consumed), feed() never claims more than it was given,
// and an accepted request satisfies the invariants the server relies on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/http/problem.hpp"
#include "herald/http/request_parser.hpp"
#include "herald/http/response.hpp"

using herald::http::Limits;
using herald::http::ParseError;
using herald::http::Request;
using herald::http::RequestParser;

namespace {

struct Step {
  std::size_t consumed = 0;
  bool done = false;
  std::optional<herald::http::ParseErrorCode> code;
  std::string message;
  Request request;

  bool operator==(const Step&) const = default;
};

void check(bool ok) {
  if (!ok) std::abort();
}

// Reads every request in `input`, offering at most `step` octets per feed.
std::vector<Step> read_stream(std::string_view input, std::size_t step, const Limits& limits) {
  std::vector<Step> steps;
  RequestParser parser(limits);
  std::size_t pos = 0;
  while (pos < input.size()) {
    parser.reset();
    Step s;
    while (pos + s.consumed < input.size() && !parser.done() && !parser.error()) {
      const std::string_view piece = input.substr(pos + s.consumed, step);
      const std::size_t n = parser.feed(piece);
      check(n <= piece.size());
      if (!parser.done() && !parser.error()) check(n == piece.size());
      s.consumed += n;
    }
    check(pos + s.consumed <= input.size());
    s.done = parser.done();
    if (parser.error()) {
      s.code = parser.error()->code;
      s.message = parser.error()->message;
      check(!s.message.empty());
      check(parser.feed("GET / HTTP/1.1\r\n") == 0);
    }
    if (s.done) s.request = parser.take();
    pos += s.consumed;
    steps.push_back(std::move(s));
    if (!steps.back().done) break;
  }
  return steps;
}

void check_request(const Request& r, const Limits& limits) {
  check(!r.method.empty() && !r.path.empty() && r.path.front() == '/');
  check(r.target == (r.target.find('?') == std::string::npos ? r.path : r.path + "?" + r.query));
  check(r.body.size() <= limits.max_body);
  check(r.headers.size() <= limits.max_header_fields);
  for (const auto& [name, value] : r.headers) {
    check(!name.empty());
    for (char c : name) check(!(c >= 'A' && c <= 'Z'));
    for (char c : value) check(c != '\r' && c != '\n' && c != '\0');
  }
  check(r.header("transfer-encoding") == nullptr);
  check(r.minor_version == 1 ? r.header("host") != nullptr : r.minor_version == 0);
  if (r.body.empty()) return;
  const std::string* length = r.header("content-length");
  check(length != nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::size_t step = 1 + data[0] % 23;
  Limits limits;
  if (data[1] & 1) {  // small limits, so every limit is reached often
    limits.max_request_line = 48;
    limits.max_header_bytes = 128;
    limits.max_header_fields = 4;
    limits.max_body = 16;
  }
  limits.require_length_for_content = (data[1] & 2) == 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  const std::vector<Step> whole = read_stream(input, input.size(), limits);
  const std::vector<Step> pieces = read_stream(input, step, limits);
  const std::vector<Step> octets = read_stream(input, 1, limits);
  check(whole == pieces && whole == octets);

  for (const Step& s : whole) {
    if (s.done) check_request(s.request, limits);
    if (s.code) {
      const std::string wire = herald::http::serialize(
          herald::http::from_parse_error(ParseError{*s.code, s.message}), false);
      check(wire.rfind("HTTP/1.1 4", 0) == 0 || wire.rfind("HTTP/1.1 5", 0) == 0);
    }
  }
  return 0;
}
