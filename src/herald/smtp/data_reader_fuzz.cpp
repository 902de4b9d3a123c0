// libFuzzer target for smtp::DataReader and smtp::BdatReader: the verdict,
// the content and the end position must not depend on how the input was cut
// into reads, the message may only end right after CRLF "." CRLF, and
// content judged ok holds no NUL and no bare CR or LF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "herald/smtp/data_reader.hpp"

using herald::smtp::BdatReader;
using herald::smtp::DataReader;

namespace {

struct Result {
  std::string content;
  std::size_t consumed = 0;
  bool done = false;
  herald::smtp::ReadStatus status{};
};

Result read_data(std::string_view input, std::size_t step) {
  DataReader reader(4096, 100);
  Result r;
  while (r.consumed < input.size() && !reader.done()) {
    const std::string_view piece = input.substr(r.consumed, step);
    const std::size_t n = reader.feed(piece, r.content);
    if (n == 0 || n > piece.size()) std::abort();
    r.consumed += n;
    if (r.content.size() > r.consumed) std::abort();
  }
  r.done = reader.done();
  r.status = reader.status();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::size_t step = 1 + data[0] % 17;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  const Result whole = read_data(input, input.size());
  const Result pieces = read_data(input, step);
  if (whole.content != pieces.content || whole.consumed != pieces.consumed ||
      whole.done != pieces.done || whole.status != pieces.status) {
    std::abort();
  }
  if (whole.done) {
    const std::string_view eaten = input.substr(0, whole.consumed);
    const bool at_start = eaten == ".\r\n";
    const bool after_line = eaten.size() >= 5 && eaten.substr(eaten.size() - 5) == "\r\n.\r\n";
    if (!at_start && !after_line) std::abort();
  }
  auto clean = [](std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\0') return false;
      if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) return false;
      if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
    }
    return true;
  };
  if (whole.status == herald::smtp::ReadStatus::ok && !clean(whole.content)) std::abort();

  // BDAT: the same octets as chunks of `step` octets, read in odd pieces.
  BdatReader bdat(4096, 100);
  std::string out;
  std::size_t pos = 0;
  while (pos < input.size()) {
    const std::size_t chunk = std::min(step * 3, input.size() - pos);
    bdat.begin_chunk(chunk);
    while (bdat.remaining() > 0) {
      const std::size_t n = bdat.feed(input.substr(pos, step), out);
      if (n == 0) std::abort();
      pos += n;
    }
  }
  bdat.finish();
  if (bdat.size() != input.size()) std::abort();
  if (bdat.status() == herald::smtp::ReadStatus::ok && (out != input || !clean(out))) std::abort();
  return 0;
}
