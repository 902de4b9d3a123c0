// base::base64 — strict RFC 4648 §4 base64 (standard alphabet, padded).
// Used on SASL exchanges, so decoding accepts exactly one spelling of each
// byte string and its errors never echo the (possibly secret) input.
#pragma once

#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::base {

// Always padded with '=' to a multiple of four characters; "" -> "".
std::string base64_encode(std::string_view bytes);

// Refuses characters outside the alphabet (whitespace included), a length
// that is not a multiple of four, misplaced or excess '=', and non-zero
// bits in the last character (non-canonical encodings). "" -> "".
Result<std::string> base64_decode(std::string_view text);

}  // namespace herald::base
