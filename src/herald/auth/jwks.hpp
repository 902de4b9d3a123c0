// auth::Jwks — an OAuth issuer's signing keys (RFC 7517 JWK Set) as OpenSSL
// public keys, each pinned to the one JWS algorithm its type allows, and
// JwksSource, which keeps them fresh from a file or an https URL. Loading
// blocks (disk, network): call JwksSource on a worker, never an I/O thread.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::auth {

// The JWS algorithms Herald verifies. The algorithm is a property of the
// key (RS256 for RSA, ES256 for P-256, EdDSA for Ed25519), never of the
// token, so a token cannot choose how it is checked.
enum class JwsAlg { rs256, es256, eddsa };

std::string_view jws_alg_name(JwsAlg alg);

struct Jwk {
  std::string kid;  // may be empty
  JwsAlg alg = JwsAlg::rs256;
  std::shared_ptr<EVP_PKEY> key;
};

struct Jwks {
  std::vector<Jwk> keys;
  // Why keys were left out ("key 2 (kid k1): RSA key shorter than 2048
  // bits"); for the operator's log. Never key material.
  std::vector<std::string> skipped;
};

inline constexpr std::size_t kMaxJwksSize = 256 * 1024;
inline constexpr std::size_t kMaxJwksKeys = 64;

// Parses a JWK Set. Keys of unknown types, curves or algorithms, with a
// `use` other than "sig", or RSA keys under 2048 bits are skipped (listed in
// `skipped`); a set with no usable key at all is an error.
base::Result<Jwks> parse_jwks(std::string_view json);

// Strict unpadded base64url (RFC 7515 §2): refuses '=', '+', '/',
// whitespace and non-zero trailing bits, so each byte string has one
// spelling. Errors never echo the input.
base::Result<std::string> base64url_decode(std::string_view text);

// Parses JSON text whose top level is an object, refusing duplicate member
// names (two parsers could read different values) and nesting deeper than
// 16 levels. Shared by the JWKS and JWT parsers.
base::Result<nlohmann::json> parse_json_object(std::string_view text);

// Fetches `url` and returns the body; blocking. The default uses libcurl:
// no redirects, https only (http only to a loopback host, which config
// allows for tests), 5 s to connect, 10 s in all, at most kMaxJwksSize.
using JwksFetch = std::function<base::Result<std::string>(const std::string& url)>;
base::Result<std::string> fetch_jwks_url(const std::string& url);

struct JwksSourceOptions {
  std::string file;  // exactly one of file and url
  std::string url;
  // A fetched set is used this long before it is fetched again.
  std::chrono::seconds cache_ttl{10 * 60};
  // A token naming a kid the set lacks (the issuer rotated keys) triggers
  // a fetch, but no more often than this, so bogus kids cannot make Herald
  // hammer the issuer.
  std::chrono::seconds min_refetch{60};
  JwksFetch fetch;                                               // empty: fetch_jwks_url
  std::function<std::chrono::steady_clock::time_point()> clock;  // empty: steady_clock
};

// What JwksSource::get answers: the keys to use (the last good set, possibly
// null if none was ever loaded) and, when loading just failed, why.
struct JwksSnapshot {
  std::shared_ptr<const Jwks> keys;
  std::string error;  // empty unless the latest load attempt failed
};

// Thread-safe. A file is re-read when its mtime, size or inode changes (one
// stat per call); a URL is fetched when the cache is older than cache_ttl,
// or on an unknown kid at most once per min_refetch. A failed reload keeps
// the previous keys, so a half-written file or an issuer outage does not
// lock every client out at once.
class JwksSource {
 public:
  explicit JwksSource(JwksSourceOptions options);
  JwksSource(const JwksSource&) = delete;
  JwksSource& operator=(const JwksSource&) = delete;

  // The current set; `unknown_kid` says the caller met a kid it lacks and
  // would like a fresher set if the rate limit allows.
  JwksSnapshot get(bool unknown_kid = false);

  const std::string& where() const { return where_; }  // the file or URL, for logs

 private:
  JwksSnapshot load_file();
  JwksSnapshot load_url(bool unknown_kid);

  JwksSourceOptions options_;
  std::string where_;
  std::mutex mutex_;  // held while loading: one fetch at a time
  std::shared_ptr<const Jwks> keys_;
  // File identity of the loaded set.
  std::int64_t mtime_ns_ = -1;
  std::int64_t size_ = -1;
  std::uint64_t inode_ = 0;
  // URL fetch times (steady clock).
  bool attempted_ = false;
  std::chrono::steady_clock::time_point last_attempt_{};
  std::chrono::steady_clock::time_point last_success_{};
};

}  // namespace herald::auth
