// dkim::signer — the Signer interface (private keys may later live in another
// process), its RSA-SHA256 and Ed25519-SHA256 implementations over OpenSSL,
// and the DKIM-Signature field builder. No clock, no disk, no DNS.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/dkim/canonicalization.hpp"
#include "herald/dkim/header_list.hpp"

namespace herald::dkim {

enum class Algorithm { kRsaSha256, kEd25519Sha256 };

// "rsa-sha256" / "ed25519-sha256", the a= tag value.
std::string_view algorithm_name(Algorithm algorithm);

class Signer {
 public:
  virtual ~Signer() = default;
  // Signs the canonicalized header data (RFC 6376 §3.7); returns the raw
  // signature bytes. Implementations hash as their algorithm requires.
  virtual base::Result<std::string> sign(std::string_view data_to_sign) = 0;
  virtual Algorithm algorithm() const = 0;
};

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

class RsaSha256Signer final : public Signer {
 public:
  // PEM "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE KEY"; refuses keys under 1024 bits.
  static base::Result<std::unique_ptr<RsaSha256Signer>> from_pem(std::string_view pem);
  base::Result<std::string> sign(std::string_view data_to_sign) override;
  Algorithm algorithm() const override { return Algorithm::kRsaSha256; }

 private:
  explicit RsaSha256Signer(PkeyPtr key) : key_(std::move(key)) {}
  PkeyPtr key_;
};

// RFC 8463 §3: PureEdDSA over the SHA-256 digest of the data, not the data.
class Ed25519Sha256Signer final : public Signer {
 public:
  static base::Result<std::unique_ptr<Ed25519Sha256Signer>> from_pem(std::string_view pem);
  base::Result<std::string> sign(std::string_view data_to_sign) override;
  Algorithm algorithm() const override { return Algorithm::kEd25519Sha256; }

 private:
  explicit Ed25519Sha256Signer(PkeyPtr key) : key_(std::move(key)) {}
  PkeyPtr key_;
};

// Either signer, chosen by the PEM key's type.
base::Result<std::unique_ptr<Signer>> signer_from_pem(std::string_view pem);

// The header names signed when a request lists none: each present field of
// this list once per occurrence, plus From one extra time so that a From
// added later breaks the signature.
const std::vector<std::string>& default_signed_headers();
std::vector<std::string> choose_signed_headers(const std::vector<HeaderField>& fields);

// The bytes the signature covers (RFC 6376 §3.7): the selected fields in h=
// order, canonicalized, then the DKIM-Signature field itself with an empty b=
// and no final CRLF. `signature_field` is the whole raw field ("DKIM-Signature:
// ...") and may carry a b= value, which is removed here.
std::string signing_input(const std::vector<HeaderField>& fields,
                          const std::vector<std::string>& signed_names,
                          std::string_view signature_field, Canonicalization header_canon);

struct SignRequest {
  std::string domain;                     // d=
  std::string selector;                   // s=
  std::string_view header_section;        // the message's header fields, CRLF, folded
  std::string body_hash;                  // raw SHA-256 from RelaxedBodyHasher::finish()
  Signer* signer = nullptr;               // not owned
  std::vector<std::string> header_names;  // empty: choose_signed_headers()
  std::int64_t timestamp = 0;             // t=, seconds since the epoch
};

// The complete "DKIM-Signature: v=1; a=...; c=relaxed/relaxed; d=; s=; t=; h=;
// bh=; b=" field, folded near 76 columns, ending with CRLF, to prepend to the
// message. Relaxed/relaxed only.
base::Result<std::string> make_signature_header(const SignRequest& request);

}  // namespace herald::dkim
