// Test helper for http::RequestParser: feeds input cut at given offsets, like
// separate reads, and records all that is observable so runs can be compared.
// Tests only; never touches a socket, clock or disk.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "herald/http/request_parser.hpp"

namespace herald::http::test {

struct Outcome {
  std::size_t consumed = 0;
  bool done = false;
  std::optional<ParseErrorCode> code;
  std::string message;
  Request request;

  bool operator==(const Outcome&) const = default;
};

inline void PrintTo(const Outcome& o, std::ostream* os) {
  *os << "{consumed=" << o.consumed << " done=" << o.done
      << " code=" << (o.code ? static_cast<int>(*o.code) : -1) << " message=\"" << o.message
      << "\" method=" << o.request.method << " target=" << o.request.target
      << " body=" << o.request.body.size() << "B}";
}

// Feeds `input` cut at `cuts` (ascending offsets) until the parser is done
// or failed. A piece is consumed whole unless the parser stopped in it.
inline Outcome parse_split(std::string_view input, const std::vector<std::size_t>& cuts,
                           const Limits& limits = {}) {
  RequestParser parser(limits);
  Outcome out;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  std::size_t start = 0;
  for (std::size_t end : ends) {
    const std::string_view piece = input.substr(start, end - start);
    start = end;
    const std::size_t n = parser.feed(piece);
    EXPECT_LE(n, piece.size());
    out.consumed += n;
    if (parser.done() || parser.error()) break;
    EXPECT_EQ(n, piece.size());
  }
  out.done = parser.done();
  if (parser.error()) {
    out.code = parser.error()->code;
    out.message = parser.error()->message;
  }
  if (out.done) out.request = parser.take();
  return out;
}

inline Outcome parse_all(std::string_view input, const Limits& limits = {}) {
  return parse_split(input, {}, limits);
}

}  // namespace herald::http::test
