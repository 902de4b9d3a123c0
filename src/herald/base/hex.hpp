// base::hex — lowercase hexadecimal encoding of byte strings (digests,
// key fingerprints, CRAM-MD5 responses). Decoding is strict: even length,
// hex digits only (either case), errors never echo the input.
#pragma once

#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::base {

std::string hex_encode(std::string_view bytes);

Result<std::string> hex_decode(std::string_view text);

}  // namespace herald::base
