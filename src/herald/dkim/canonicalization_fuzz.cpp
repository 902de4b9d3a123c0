// libFuzzer target for dkim canonicalization: the streaming relaxed body
// hasher must agree with the whole-body form for any bytes and any split,
// and header canonicalization and parsing must never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "herald/dkim/canonicalization.hpp"
#include "herald/dkim/header_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t split = size == 0 ? 0 : data[0] % (size + 1);

  herald::dkim::RelaxedBodyHasher hasher;
  hasher.update(input.substr(0, split));
  hasher.update(input.substr(split));
  if (hasher.finish() != herald::dkim::sha256(herald::dkim::canonicalize_body_relaxed(input))) {
    std::abort();
  }
  (void)herald::dkim::canonicalize_body_simple(input);
  (void)herald::dkim::canonicalize_header_relaxed(input);
  auto fields = herald::dkim::parse_header_section(input);
  (void)fields;
  return 0;
}
