#include "herald/net/self_signed.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

namespace herald::net {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

base::Result<void> write_file(const std::string& path, int mode, auto writer) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) return base::make_error("cannot write " + path);
  FILE* f = fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    return base::make_error("cannot write " + path);
  }
  bool ok = writer(f) == 1;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) return base::make_error("cannot write " + path);
  return {};
}

}  // namespace

base::Result<void> write_self_signed(const std::string& hostname, const std::string& cert_path,
                                     const std::string& key_path, int days) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return base::make_error("cannot generate an EC key");
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  std::FILE* rnd = std::fopen("/dev/urandom", "rb");
  if (!rnd || std::fread(serial, 1, sizeof serial, rnd) != sizeof serial) {
    if (rnd) std::fclose(rnd);
    return base::make_error("cannot read /dev/urandom");
  }
  std::fclose(rnd);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  std::string san = "DNS:" + hostname;
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str());
  if (!ext) return base::make_error("'" + hostname + "' is not a usable host name");
  X509_add_ext(cert.get(), ext, -1);
  X509_EXTENSION_free(ext);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return base::make_error("cannot sign the certificate");
  }
  auto k = write_file(key_path, 0600, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (!k) return k;
  return write_file(cert_path, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
}

}  // namespace herald::net
