// dkim::verifier — checks every DKIM-Signature of a whole message against
// public-key records handed in by the caller (RFC 6376 §6, RFC 8463).
// Does no DNS and reads no clock: x= expiry is not checked here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/dkim/signer.hpp"

namespace herald::dkim {

// The TXT record value at SELECTOR._domainkey.DOMAIN, or nullopt if none.
using KeyLookup =
    std::function<std::optional<std::string>(std::string_view selector, std::string_view domain)>;

enum class VerifyStatus {
  kPass,
  kFail,       // the body hash or the signature does not match
  kPermError,  // malformed or unsupported signature, or unusable key record
  kTempError,  // no key record found (a DNS answer may come later)
};

struct SignatureResult {
  VerifyStatus status = VerifyStatus::kPermError;
  std::string domain;     // d=, when it could be read
  std::string selector;   // s=, when it could be read
  std::string algorithm;  // a= as written
  std::string reason;     // a sentence for people; "ok" on pass
};

std::string_view status_name(VerifyStatus status);

// One result per DKIM-Signature field, in header order. Supports rsa-sha256
// and ed25519-sha256, simple and relaxed canonicalization; refuses l=.
std::vector<SignatureResult> verify_message(std::string_view message, const KeyLookup& lookup);

}  // namespace herald::dkim
