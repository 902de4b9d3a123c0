// mail::encoded_word — decoding RFC 2047 encoded words ("=?utf-8?B?...?=")
// in header text such as display names, so that policy judges what a
// reader will see. Decoding only; Herald never re-encodes headers.
#pragma once

#include <string>
#include <string_view>

namespace herald::mail {

// Replaces every well-formed encoded word (B or Q encoding) with its decoded
// bytes; white space between two adjacent encoded words is dropped (RFC 2047
// §6.2). ISO-8859-1 is converted to UTF-8; other charsets' bytes are kept
// as they are. Malformed encoded words stay as written.
std::string decode_encoded_words(std::string_view text);

}  // namespace herald::mail
