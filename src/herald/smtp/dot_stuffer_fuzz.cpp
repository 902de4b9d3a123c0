// libFuzzer target for smtp::DotStuffer: the output must not depend on how
// the input is cut into chunks, must be CRLF lines only, must hold no end
// of data ("." alone on a line) before its terminator, and no NUL octet;
// saw_nul() must say whether the input held one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "herald/smtp/dot_stuffer.hpp"

namespace {

std::string stuff(std::string_view input, std::size_t step) {
  herald::smtp::DotStuffer s;
  std::string out;
  for (std::size_t pos = 0; pos < input.size(); pos += step) s.feed(input.substr(pos, step), out);
  s.finish(out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::size_t step = 1 + data[0] % 13;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  const std::string whole = stuff(input, input.size() + 1);
  if (stuff(input, step) != whole) std::abort();
  if (whole.size() > 2 * input.size() + 5) std::abort();

  if (whole.size() < 3 || whole.compare(whole.size() - 3, 3, ".\r\n") != 0) std::abort();
  const std::string_view body = std::string_view(whole).substr(0, whole.size() - 3);
  if (!body.empty() && body.substr(body.size() - 2) != "\r\n") std::abort();
  if (body.find('\0') != std::string_view::npos) std::abort();
  {
    herald::smtp::DotStuffer s;
    std::string out;
    s.feed(input, out);
    if (s.saw_nul() != (input.find('\0') != std::string_view::npos)) std::abort();
  }
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r' && (i + 1 >= body.size() || body[i + 1] != '\n')) std::abort();
    if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) std::abort();
  }
  // No line is "." alone, and no line starts with a single (unstuffed) dot
  // where the input line started with none.
  std::size_t start = 0;
  while (start < body.size()) {
    const std::size_t end = body.find("\r\n", start);
    const std::string_view line = body.substr(start, end - start);
    if (line == ".") std::abort();
    start = end + 2;
  }
  return 0;
}
