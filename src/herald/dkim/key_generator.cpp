// dkim::key_generator — OpenSSL key generation and public-key record text.
#include "herald/dkim/key_generator.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "herald/base/base64.hpp"

namespace herald::dkim {
namespace {

base::Result<std::string> private_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return base::make_error("out of memory writing the DKIM key");
  std::string out;
  if (PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<std::size_t>(len));
  }
  BIO_free(bio);
  if (out.empty()) return base::make_error("cannot encode the DKIM private key as PEM");
  return out;
}

base::Result<std::string> txt_for_key(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_ED25519) {
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 || len != 32) {
      return base::make_error("cannot extract the Ed25519 public key");
    }
    return "v=DKIM1; k=ed25519; p=" +
           base::base64_encode(std::string_view(reinterpret_cast<char*>(raw), len));
  }
  if (id == EVP_PKEY_RSA) {
    unsigned char* der = nullptr;
    int len = i2d_PUBKEY(key, &der);
    if (len <= 0) return base::make_error("cannot encode the RSA public key");
    std::string b64 = base::base64_encode(std::string_view(reinterpret_cast<char*>(der), len));
    OPENSSL_free(der);
    return "v=DKIM1; k=rsa; p=" + b64;
  }
  return base::make_error("the DKIM key is neither RSA nor Ed25519");
}

}  // namespace

base::Result<KeyPair> generate_key_pair(Algorithm algorithm) {
  EVP_PKEY* key = algorithm == Algorithm::kRsaSha256
                      ? EVP_RSA_gen(2048)
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return base::make_error("DKIM key generation failed");
  PkeyPtr owned(key);
  auto pem = private_pem(key);
  if (!pem) return pem.error();
  auto txt = txt_for_key(key);
  if (!txt) return txt.error();
  return KeyPair{algorithm, std::move(*pem), std::move(*txt)};
}

base::Result<std::string> dns_txt_for_private_key(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return base::make_error("out of memory reading the DKIM key");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return base::make_error("the DKIM private key is not a readable PEM key");
  PkeyPtr owned(key);
  return txt_for_key(key);
}

std::string zone_file_txt(std::string_view value) {
  std::string out;
  while (true) {
    std::string_view part = value.substr(0, 255);
    value.remove_prefix(part.size());
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : part) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    if (value.empty()) break;
  }
  return out;
}

}  // namespace herald::dkim
