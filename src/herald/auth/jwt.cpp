// auth::verify_jwt — compact JWS parsing, signature checks with OpenSSL 3
// EVP (RS256, ES256 with JOSE r||s turned into DER, EdDSA), and the claim
// rules of RFC 7519 / RFC 9068 that Herald enforces. Hand-written: see
// jwks.cpp for why no JOSE library.

#include "herald/auth/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "herald/auth/sasl_text.hpp"

namespace herald::auth {
namespace {

using json = nlohmann::json;

JwtResult fail(JwtStatus status, std::string reason) {
  return JwtResult{status, {}, std::move(reason)};
}

// JOSE ES256 signatures are r||s, 32 octets each (RFC 7518 §3.4); OpenSSL
// verifies DER. Returns empty on a malformed signature.
std::string es256_to_der(std::string_view raw) {
  if (raw.size() != 64) return {};
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, void (*)(ECDSA_SIG*)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(p, 32, nullptr);
  BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return {};
  return der;
}

bool verify_signature(const Jwk& key, std::string_view signing_input, std::string_view sig) {
  std::string der;
  if (key.alg == JwsAlg::es256) {
    der = es256_to_der(sig);
    if (der.empty()) return false;
    sig = der;
  } else if (key.alg == JwsAlg::rs256) {
    if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.key.get()))) return false;
  } else if (sig.size() != 64) {
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // Ed25519 hashes internally and takes no digest; the others use SHA-256
  // (RSA with its default PKCS#1 v1.5 padding).
  const EVP_MD* md = key.alg == JwsAlg::eddsa ? nullptr : EVP_sha256();
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

std::optional<JwsAlg> alg_from_header(std::string_view alg) {
  if (alg == "RS256") return JwsAlg::rs256;
  if (alg == "ES256") return JwsAlg::es256;
  if (alg == "EdDSA" || alg == "Ed25519") return JwsAlg::eddsa;
  return std::nullopt;
}

// A NumericDate claim as whole seconds; nullopt when absent; an error when
// present but not a finite number.
base::Result<std::optional<std::int64_t>> time_claim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::optional<std::int64_t>{};
  if (!it->is_number()) return base::make_error(std::string("\"") + name + "\" is not a number");
  const double v = it->get<double>();
  // Far beyond any real date; keeps the conversion defined.
  if (!std::isfinite(v) || std::fabs(v) > 1e15) {
    return base::make_error(std::string("\"") + name + "\" is out of range");
  }
  return std::optional<std::int64_t>(static_cast<std::int64_t>(std::floor(v)));
}

bool has_scope(const json& claims, std::string_view wanted) {
  auto in_text = [&](const std::string& text) {
    std::size_t pos = 0;
    while (pos <= text.size()) {
      const std::size_t end = std::min(text.find(' ', pos), text.size());
      if (std::string_view(text).substr(pos, end - pos) == wanted) return true;
      pos = end + 1;
    }
    return false;
  };
  // "scope" is a space-separated string (RFC 8693 §4.2); Microsoft puts the
  // same string in "scp", and some issuers make "scp" an array.
  for (const char* name : {"scope", "scp"}) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    if (it->is_string() && in_text(it->get<std::string>())) return true;
    if (it->is_array()) {
      for (const auto& s : *it) {
        if (s.is_string() && s.get<std::string>() == wanted) return true;
      }
    }
  }
  return false;
}

JwtResult check_claims(const json& claims, const JwtPolicy& policy,
                       std::chrono::system_clock::time_point now) {
  const auto* iss = claims.contains("iss") ? claims["iss"].get_ptr<const std::string*>() : nullptr;
  if (iss == nullptr) return fail(JwtStatus::bad_claims, "token has no issuer (iss)");
  if (*iss != policy.issuer) return fail(JwtStatus::bad_claims, "token is from another issuer");

  bool audience = false;
  if (auto it = claims.find("aud"); it != claims.end()) {
    if (it->is_string()) audience = it->get<std::string>() == policy.audience;
    if (it->is_array()) {
      for (const auto& a : *it)
        audience |= a.is_string() && a.get<std::string>() == policy.audience;
    }
  }
  if (!audience) return fail(JwtStatus::bad_claims, "token is not for this audience (aud)");

  const std::int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = policy.clock_skew.count();
  auto exp = time_claim(claims, "exp");
  if (!exp) return fail(JwtStatus::bad_claims, "token " + exp.error().message);
  if (!*exp) return fail(JwtStatus::bad_claims, "token has no expiry (exp)");
  if (**exp + skew <= t) return fail(JwtStatus::bad_claims, "token has expired");
  for (const char* name : {"nbf", "iat"}) {
    auto when = time_claim(claims, name);
    if (!when) return fail(JwtStatus::bad_claims, "token " + when.error().message);
    if (*when && **when > t + skew) {
      return fail(JwtStatus::bad_claims, std::string("token is not valid yet (") + name + ")");
    }
  }

  if (!policy.required_scope.empty() && !has_scope(claims, policy.required_scope)) {
    return fail(JwtStatus::bad_claims, "token lacks the required scope " + policy.required_scope);
  }

  std::string identity;
  auto verified = claims.find("email_verified");
  const bool email_ok =
      verified == claims.end() || !verified->is_boolean() || verified->get<bool>();
  if (auto it = claims.find("email"); email_ok && it != claims.end() && it->is_string()) {
    identity = it->get<std::string>();
  }
  if (identity.empty()) {
    if (auto it = claims.find("sub"); it != claims.end() && it->is_string()) {
      identity = it->get<std::string>();
    }
  }
  if (identity.empty()) return fail(JwtStatus::bad_claims, "token names no user (email or sub)");
  if (auto c = check_sasl_identity(identity, "token identity"); !c) {
    return fail(JwtStatus::bad_claims, c.error().message);
  }
  return JwtResult{JwtStatus::ok, std::move(identity), "ok"};
}

}  // namespace

JwtResult verify_jwt(std::string_view token, const Jwks& keys, const JwtPolicy& policy,
                     std::chrono::system_clock::time_point now) {
  if (token.size() > kMaxJwtSize) return fail(JwtStatus::malformed, "token is larger than 8 KiB");
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == token.npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == token.npos || token.find('.', dot2 + 1) != token.npos) {
    // Five parts would be JWE (an encrypted token), which Herald cannot read.
    return fail(JwtStatus::malformed, "token is not a compact JWS (header.payload.signature)");
  }
  auto header_text = base64url_decode(token.substr(0, dot1));
  auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) {
    return fail(JwtStatus::malformed, "token is not valid base64url");
  }
  auto header = parse_json_object(*header_text);
  if (!header) return fail(JwtStatus::malformed, "token header: " + header.error().message);

  const auto* alg_name =
      header->contains("alg") ? (*header)["alg"].get_ptr<const std::string*>() : nullptr;
  if (alg_name == nullptr) return fail(JwtStatus::malformed, "token header has no alg");
  if (*alg_name == "none") return fail(JwtStatus::bad_signature, "unsigned token (alg none)");
  if (alg_name->starts_with("HS")) {
    // HMAC would make the public key a shared secret anyone can sign with.
    return fail(JwtStatus::bad_signature, "HMAC-signed token (alg HS*) refused");
  }
  const auto alg = alg_from_header(*alg_name);
  if (!alg) return fail(JwtStatus::bad_signature, "token algorithm is not supported");
  if (header->contains("crit")) {
    return fail(JwtStatus::malformed, "token header has crit extensions Herald does not know");
  }

  const Jwk* key = nullptr;
  if (auto it = header->find("kid"); it != header->end()) {
    if (!it->is_string()) return fail(JwtStatus::malformed, "token header kid is not a string");
    const std::string& kid = it->get_ref<const std::string&>();
    bool kid_known = false;
    for (const auto& k : keys.keys) {
      if (k.kid != kid) continue;
      kid_known = true;
      if (k.alg == *alg) {
        key = &k;
        break;
      }
    }
    if (!kid_known) return fail(JwtStatus::unknown_key, "token kid is not in the JWKS");
  } else if (keys.keys.size() == 1) {
    key = &keys.keys.front();
  } else {
    return fail(JwtStatus::malformed, "token has no kid and the JWKS holds several keys");
  }
  if (key == nullptr || key->alg != *alg) {
    return fail(JwtStatus::bad_signature, "token alg does not match its key's type");
  }
  if (!verify_signature(*key, token.substr(0, dot2), *signature)) {
    return fail(JwtStatus::bad_signature, "token signature does not verify");
  }

  auto claims = parse_json_object(*payload_text);
  if (!claims) return fail(JwtStatus::malformed, "token claims: " + claims.error().message);
  return check_claims(*claims, policy, now);
}

}  // namespace herald::auth
