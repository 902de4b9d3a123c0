// Test helper for the JWT, JWKS and OAuth tests: generates RSA-2048, P-256
// and Ed25519 keys with OpenSSL, publishes them as JWKs and signs tokens,
// independently of the verifier under test. Tests only.
#pragma once

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace herald::auth::test {

inline std::string b64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

enum class KeyKind { rsa, p256, ed25519 };

struct TestKey {
  KeyKind kind;
  std::shared_ptr<EVP_PKEY> pkey;
  std::string kid;

  static TestKey generate(KeyKind kind, std::string kid) {
    EVP_PKEY* p = nullptr;
    switch (kind) {
      case KeyKind::rsa:
        p = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048));
        break;
      case KeyKind::p256:
        p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
      case KeyKind::ed25519:
        p = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        break;
    }
    if (p == nullptr) throw std::runtime_error("key generation failed");
    return TestKey{kind, std::shared_ptr<EVP_PKEY>(p, EVP_PKEY_free), std::move(kid)};
  }

  std::string alg() const {
    return kind == KeyKind::rsa ? "RS256" : kind == KeyKind::p256 ? "ES256" : "EdDSA";
  }

  static std::string bn_bytes(EVP_PKEY* p, const char* name) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(p, name, &bn) != 1) throw std::runtime_error("no bn param");
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
  }

  // The public half as a JWK (with kid unless empty).
  nlohmann::json jwk() const {
    nlohmann::json j;
    if (!kid.empty()) j["kid"] = kid;
    if (kind == KeyKind::rsa) {
      j["kty"] = "RSA";
      j["n"] = b64url(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_N));
      j["e"] = b64url(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_E));
    } else if (kind == KeyKind::p256) {
      unsigned char point[65];
      std::size_t len = 0;
      EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                      sizeof point, &len);
      if (len != 65) throw std::runtime_error("unexpected EC point size");
      j["kty"] = "EC";
      j["crv"] = "P-256";
      j["x"] = b64url(std::string_view(reinterpret_cast<char*>(point) + 1, 32));
      j["y"] = b64url(std::string_view(reinterpret_cast<char*>(point) + 33, 32));
    } else {
      unsigned char raw[32];
      std::size_t len = sizeof raw;
      EVP_PKEY_get_raw_public_key(pkey.get(), raw, &len);
      j["kty"] = "OKP";
      j["crv"] = "Ed25519";
      j["x"] = b64url(std::string_view(reinterpret_cast<char*>(raw), len));
    }
    j["use"] = "sig";
    return j;
  }

  // A JOSE signature over `input` (ES256 as raw r||s).
  std::string sign(std::string_view input) const {
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const EVP_MD* md = kind == KeyKind::ed25519 ? nullptr : EVP_sha256();
    EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey.get());
    std::size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size());
    sig.resize(len);
    if (kind != KeyKind::p256) return sig;
    const auto* der = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    return raw;
  }
};

inline std::string jwks_of(std::initializer_list<const TestKey*> keys) {
  nlohmann::json set;
  set["keys"] = nlohmann::json::array();
  for (const auto* k : keys) set["keys"].push_back(k->jwk());
  return set.dump();
}

// header.payload.signature, signed by `key` with its own algorithm.
inline std::string make_jwt(const TestKey& key, const nlohmann::json& claims,
                            nlohmann::json header = nullptr) {
  if (header.is_null()) {
    header = {{"alg", key.alg()}, {"typ", "JWT"}};
    if (!key.kid.empty()) header["kid"] = key.kid;
  }
  const std::string input = b64url(header.dump()) + "." + b64url(claims.dump());
  return input + "." + b64url(key.sign(input));
}

// HS256 over `input` with `secret` as the HMAC key (for the key-confusion
// attack, where the secret is the issuer's public key).
inline std::string hmac_sha256(std::string_view secret, std::string_view input) {
  unsigned char out[32];
  std::size_t len = 0;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params);
  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MAC_final(ctx, out, &len, sizeof out);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace herald::auth::test
