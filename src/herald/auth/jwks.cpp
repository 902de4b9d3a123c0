// auth::Jwks — JWK Set parsing into OpenSSL 3 public keys (EVP_PKEY_fromdata
// for RSA and P-256, raw public keys for Ed25519), strict base64url and JSON
// helpers, and JwksSource's file and URL loading. Hand-written over OpenSSL
// and nlohmann-json: the JOSE libraries packaged for Debian either trust the
// token's "alg" or pull in a second crypto stack.

#include "herald/auth/jwks.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace herald::auth {
namespace {

using json = nlohmann::json;

constexpr int kMaxJsonDepth = 16;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

const std::string* string_member(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

// A base64url member decoded, or an error naming the member.
base::Result<std::string> b64_member(const json& obj, const char* name) {
  const std::string* text = string_member(obj, name);
  if (text == nullptr) return base::make_error(fmt::format("no \"{}\"", name));
  auto bytes = base64url_decode(*text);
  if (!bytes) return base::make_error(fmt::format("\"{}\" is not base64url", name));
  return bytes;
}

// Builds a public key of `type` ("RSA", "EC") from OSSL_PARAMs.
base::Result<PkeyPtr> key_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return base::make_error("OpenSSL refused the key parameters");
  }
  PkeyPtr key(raw);
  // Catches EC points off the curve and malformed RSA values.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return base::make_error("the public key fails OpenSSL's checks");
  }
  return key;
}

base::Result<PkeyPtr> rsa_key(const json& jwk) {
  auto n = b64_member(jwk, "n");
  if (!n) return n.error();
  auto e = b64_member(jwk, "e");
  if (!e) return e.error();
  if (e->empty() || e->size() > 8 || (static_cast<unsigned char>(e->back()) & 1) == 0) {
    return base::make_error("RSA exponent is not a small odd number");
  }
  if (n->size() > 2048) return base::make_error("RSA modulus is longer than 16384 bits");
  auto bin = [](const std::string& s) {
    return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(s.data()),
                           static_cast<int>(s.size()), nullptr));
  };
  BnPtr bn_n = bin(*n);
  BnPtr bn_e = bin(*e);
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld) return base::make_error("out of memory");
  if (BN_num_bits(bn_n.get()) < 2048) return base::make_error("RSA key shorter than 2048 bits");
  if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return base::make_error("out of memory");
  }
  return key_from_params("RSA", bld.get());
}

base::Result<PkeyPtr> p256_key(const json& jwk) {
  auto x = b64_member(jwk, "x");
  if (!x) return x.error();
  auto y = b64_member(jwk, "y");
  if (!y) return y.error();
  if (x->size() != 32 || y->size() != 32) {
    return base::make_error("P-256 coordinates must be 32 octets each");
  }
  // SEC 1 uncompressed point: 0x04 || x || y.
  std::string point = "\x04" + *x + *y;
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  char group[] = "prime256v1";
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return base::make_error("out of memory");
  }
  return key_from_params("EC", bld.get());
}

base::Result<PkeyPtr> ed25519_key(const json& jwk) {
  auto x = b64_member(jwk, "x");
  if (!x) return x.error();
  if (x->size() != 32) return base::make_error("Ed25519 key must be 32 octets");
  PkeyPtr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size()));
  if (!key) return base::make_error("OpenSSL refused the Ed25519 key");
  return key;
}

// One JWK into a Jwk, or why it is skipped.
base::Result<Jwk> parse_jwk(const json& jwk) {
  if (!jwk.is_object()) return base::make_error("not a JSON object");
  const std::string* kty = string_member(jwk, "kty");
  if (kty == nullptr) return base::make_error("no \"kty\"");
  if (jwk.contains("use")) {
    const std::string* use = string_member(jwk, "use");
    if (use == nullptr || *use != "sig") return base::make_error("\"use\" is not \"sig\"");
  }
  if (auto ops = jwk.find("key_ops"); ops != jwk.end()) {
    bool verify = false;
    if (ops->is_array()) {
      for (const auto& op : *ops) verify |= op.is_string() && op.get<std::string>() == "verify";
    }
    if (!verify) return base::make_error("\"key_ops\" does not include \"verify\"");
  }
  const std::string* crv = string_member(jwk, "crv");
  const std::string* alg = string_member(jwk, "alg");
  if (jwk.contains("alg") && alg == nullptr) return base::make_error("\"alg\" is not a string");
  Jwk out;
  if (const std::string* kid = string_member(jwk, "kid")) {
    out.kid = *kid;
  } else if (jwk.contains("kid")) {
    return base::make_error("\"kid\" is not a string");
  }
  base::Result<PkeyPtr> key = base::make_error("");
  if (*kty == "RSA") {
    if (alg != nullptr && *alg != "RS256")
      return base::make_error("RSA key for " + alg->substr(0, 16));
    out.alg = JwsAlg::rs256;
    key = rsa_key(jwk);
  } else if (*kty == "EC") {
    if (crv == nullptr || *crv != "P-256") return base::make_error("EC curve is not P-256");
    if (alg != nullptr && *alg != "ES256")
      return base::make_error("P-256 key for " + alg->substr(0, 16));
    out.alg = JwsAlg::es256;
    key = p256_key(jwk);
  } else if (*kty == "OKP") {
    if (crv == nullptr || *crv != "Ed25519") return base::make_error("OKP curve is not Ed25519");
    if (alg != nullptr && *alg != "EdDSA" && *alg != "Ed25519") {
      return base::make_error("Ed25519 key for " + alg->substr(0, 16));
    }
    out.alg = JwsAlg::eddsa;
    key = ed25519_key(jwk);
  } else {
    // "oct" (shared secrets) lands here on purpose: HMAC keys have no
    // place in a set of public keys.
    return base::make_error("key type \"" + kty->substr(0, 16) + "\" is not supported");
  }
  if (!key) return key.error();
  out.key = std::shared_ptr<EVP_PKEY>(key->release(), PkeyFree{});
  return out;
}

std::size_t on_curl_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  if (body->size() + n > kMaxJwksSize) return 0;  // aborts the transfer
  body->append(data, n);
  return n;
}

// Only these hosts may be reached over plain http (config allows them for
// tests); compared as the whole authority, so "localhost.evil" is not one.
bool loopback_http(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return false;
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  std::string_view authority = rest.substr(0, rest.find('/'));
  for (std::string_view host : {"127.0.0.1", "localhost", "[::1]"}) {
    if (authority == host) return true;
    if (authority.starts_with(host) && authority.size() > host.size() &&
        authority[host.size()] == ':') {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view jws_alg_name(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::rs256:
      return "RS256";
    case JwsAlg::es256:
      return "ES256";
    case JwsAlg::eddsa:
      return "EdDSA";
  }
  return "?";
}

base::Result<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  // libsodium refuses characters outside the alphabet, '=' in this variant,
  // and non-zero leftover bits; with no "ignore" set, whitespace too.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return base::make_error("invalid base64url");
  }
  out.resize(len);
  return out;
}

base::Result<json> parse_json_object(std::string_view text) {
  std::vector<std::set<std::string>> names;
  std::string problem;
  auto check = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        names.emplace_back();
        [[fallthrough]];
      case json::parse_event_t::array_start:
        if (depth >= kMaxJsonDepth && problem.empty()) problem = "JSON is nested too deeply";
        break;
      case json::parse_event_t::key:
        if (!names.empty() && !names.back().insert(parsed.get<std::string>()).second &&
            problem.empty()) {
          problem = "JSON object has a member name twice";
        }
        break;
      case json::parse_event_t::object_end:
        if (!names.empty()) names.pop_back();
        break;
      default:
        break;
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), check, /*allow_exceptions=*/false);
  if (value.is_discarded()) return base::make_error("not valid JSON");
  if (!problem.empty()) return base::make_error(problem);
  if (!value.is_object()) return base::make_error("JSON is not an object");
  return value;
}

base::Result<Jwks> parse_jwks(std::string_view text) {
  if (text.size() > kMaxJwksSize) return base::make_error("JWKS is larger than 256 KiB");
  auto doc = parse_json_object(text);
  if (!doc) return base::make_error("JWKS: " + doc.error().message);
  auto keys = doc->find("keys");
  if (keys == doc->end() || !keys->is_array()) {
    return base::make_error("JWKS has no \"keys\" array");
  }
  if (keys->size() > kMaxJwksKeys) return base::make_error("JWKS has more than 64 keys");
  Jwks out;
  std::size_t index = 0;
  for (const auto& entry : *keys) {
    ++index;
    auto jwk = parse_jwk(entry);
    if (jwk) {
      out.keys.push_back(std::move(*jwk));
      continue;
    }
    std::string kid;
    if (entry.is_object()) {
      if (const std::string* k = string_member(entry, "kid")) kid = k->substr(0, 64);
    }
    out.skipped.push_back(fmt::format(
        "key {}{}: {}", index, kid.empty() ? "" : " (kid " + kid + ")", jwk.error().message));
  }
  if (out.keys.empty()) {
    std::string why = out.skipped.empty() ? "the set is empty" : out.skipped.front();
    return base::make_error("JWKS has no usable signing key (" + why + ")");
  }
  return out;
}

base::Result<std::string> fetch_jwks_url(const std::string& url) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return base::make_error("cannot start libcurl");
  std::string body;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, loopback_http(url) ? "http" : "https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxJwksSize));
  curl_easy_setopt(h, CURLOPT_USERAGENT, "herald-jwks");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_curl_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    if (rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED) {
      return base::make_error("JWKS response is larger than 256 KiB");
    }
    return base::make_error(std::string("fetching the JWKS failed: ") + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return base::make_error(fmt::format("JWKS URL answered HTTP {}", status));
  return body;
}

JwksSource::JwksSource(JwksSourceOptions options) : options_(std::move(options)) {
  where_ = options_.file.empty() ? options_.url : options_.file;
  if (!options_.fetch) options_.fetch = fetch_jwks_url;
  if (!options_.clock) options_.clock = [] { return std::chrono::steady_clock::now(); };
}

JwksSnapshot JwksSource::get(bool unknown_kid) {
  std::lock_guard lock(mutex_);
  return options_.file.empty() ? load_url(unknown_kid) : load_file();
}

JwksSnapshot JwksSource::load_file() {
  struct stat st {};
  if (::stat(options_.file.c_str(), &st) != 0) {
    return {keys_,
            fmt::format("cannot read JWKS file {}: {}", options_.file, std::strerror(errno))};
  }
  const std::int64_t mtime =
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (keys_ && mtime == mtime_ns_ && st.st_size == size_ && st.st_ino == inode_) return {keys_, {}};
  if (st.st_size > static_cast<off_t>(kMaxJwksSize)) {
    return {keys_, fmt::format("JWKS file {} is larger than 256 KiB", options_.file)};
  }
  std::ifstream in(options_.file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return {keys_, fmt::format("cannot read JWKS file {}", options_.file)};
  }
  auto parsed = parse_jwks(text);
  if (!parsed) return {keys_, options_.file + ": " + parsed.error().message};
  keys_ = std::make_shared<const Jwks>(std::move(*parsed));
  mtime_ns_ = mtime;
  size_ = st.st_size;
  inode_ = st.st_ino;
  return {keys_, {}};
}

JwksSnapshot JwksSource::load_url(bool unknown_kid) {
  const auto now = options_.clock();
  const bool due = !keys_ || unknown_kid || now - last_success_ >= options_.cache_ttl;
  // Failed fetches count too: an unreachable issuer is asked again after
  // min_refetch, not on every AUTH.
  const bool allowed = !attempted_ || now - last_attempt_ >= options_.min_refetch;
  if (!due || !allowed) return {keys_, {}};
  attempted_ = true;
  last_attempt_ = now;
  auto body = options_.fetch(options_.url);
  if (!body) return {keys_, options_.url + ": " + body.error().message};
  auto parsed = parse_jwks(*body);
  if (!parsed) return {keys_, options_.url + ": " + parsed.error().message};
  keys_ = std::make_shared<const Jwks>(std::move(*parsed));
  last_success_ = now;
  return {keys_, {}};
}

}  // namespace herald::auth
