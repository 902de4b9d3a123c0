// auth::sasl_text — the wire conventions every SASL mechanism shares:
// strict base64 responses, "=" for an empty initial response and "*" to
// cancel (RFC 4954), and checks on identities. Internal to auth.
#pragma once

#include <cstddef>
#include <string_view>

#include "herald/auth/secret_string.hpp"
#include "herald/base/result.hpp"

namespace herald::auth {

// RFC 4616 §2: authzid, authcid and passwd are each at most 255 octets.
inline constexpr std::size_t kMaxSaslField = 255;
// Longest base64 response accepted: a full PLAIN message (3 × 255 + 2
// octets) encodes to exactly 1024 characters.
inline constexpr std::size_t kMaxSaslResponseB64 = 1024;

// True for the client's "*" line, which cancels the exchange.
bool is_sasl_cancel(std::string_view line);

// Decodes one client response. "=" (and "") decode to empty. Rejects
// non-canonical base64: missing padding, whitespace, stray bits. The result
// is a SecretString because responses carry passwords.
base::Result<SecretString> decode_sasl_response(std::string_view line_b64);

// Checks an authentication or authorization identity: 1..255 octets of
// valid UTF-8 without control characters (they would end up in logs).
// `what` names the field in the error ("username").
base::Result<void> check_sasl_identity(std::string_view id, std::string_view what);

// Checks a password: 1..255 octets, no NUL.
base::Result<void> check_sasl_password(std::string_view password);

}  // namespace herald::auth
