// Test helper for auth tests: base64-encode arbitrary bytes (NULs included)
// with libsodium, independently of the decoder under test.
#pragma once

#include <sodium.h>

#include <string>
#include <string_view>

namespace herald::auth::test {

inline std::string b64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

}  // namespace herald::auth::test
