// auth::ScramServer — SCRAM message parsing, key derivation and proof checks.
// Crypto is OpenSSL (PBKDF2, HMAC, SHA-256); comparisons and randomness are
// libsodium. Hand-written: no library offers a sans-I/O SCRAM server.

#include "herald/auth/scram.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <charconv>
#include <stdexcept>
#include <utility>

#include "herald/auth/password_hash.hpp"
#include "herald/auth/sasl_text.hpp"
#include "herald/base/base64.hpp"

namespace herald::auth {
namespace {

// Upper bound on the client nonce: long enough for any real client, short
// enough that the whole exchange fits kMaxSaslResponseB64.
constexpr std::size_t kMaxClientNonce = 128;
constexpr std::size_t kServerNonceBytes = 18;  // 24 base64 characters

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(kScramKeySize, '\0');
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr ||
      len != kScramKeySize) {
    throw std::runtime_error("HMAC-SHA-256 failed in OpenSSL");
  }
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(kScramKeySize, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                 EVP_sha256(), nullptr) != 1 ||
      len != kScramKeySize) {
    throw std::runtime_error("SHA-256 failed in OpenSSL");
  }
  return out;
}

void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

bool same_bytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

const std::string& process_fake_secret() {
  static const std::string secret = [] {
    std::string s(32, '\0');
    if (!sodium_ready()) throw std::runtime_error("libsodium could not be initialised");
    randombytes_buf(s.data(), s.size());
    return s;
  }();
  return secret;
}

std::string random_server_nonce() {
  if (!sodium_ready()) throw std::runtime_error("libsodium could not be initialised");
  std::string raw(kServerNonceBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return base::base64_encode(raw);
}

// RFC 5802 §5.1 saslname: "=2C" and "=3D" stand for ',' and '='; any other
// '=' is malformed. The result is then checked like every SASL identity
// (UTF-8, no controls, 1..255 octets). Full SASLprep (NFKC, prohibited
// code points) is not applied; logins are mostly ASCII addresses.
base::Result<std::string> decode_saslname(std::string_view in, std::string_view what) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=') {
      const std::string_view esc = in.substr(i, 3);
      if (esc == "=2C") {
        out += ',';
      } else if (esc == "=3D") {
        out += '=';
      } else {
        return base::make_error(fmt::format("{} has an '=' not followed by 2C or 3D", what));
      }
      i += 2;
    } else {
      out += in[i];
    }
  }
  if (auto c = check_sasl_identity(out, what); !c) return c.error();
  return out;
}

// RFC 5802 printable: %x21-2B / %x2D-7E.
bool valid_nonce(std::string_view n) {
  if (n.empty() || n.size() > kMaxClientNonce) return false;
  for (char c : n) {
    if (c < 0x21 || c > 0x7E || c == ',') return false;
  }
  return true;
}

// Splits at the first ',' (the rest is empty when there is none).
std::pair<std::string_view, std::string_view> split_attr(std::string_view s) {
  const auto comma = s.find(',');
  if (comma == std::string_view::npos) return {s, {}};
  return {s.substr(0, comma), s.substr(comma + 1)};
}

// RFC 5802 extensions = attr-val *("," attr-val), attr-val = ALPHA "=" value.
// Optional ones are ignored, but must at least have that shape.
bool valid_extensions(std::string_view ext) {
  while (!ext.empty()) {
    auto [attr, rest] = split_attr(ext);
    const char c = attr.size() >= 2 ? attr[0] : '\0';
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) || attr[1] != '=') return false;
    if (rest.empty() && attr.size() < ext.size()) return false;  // trailing ','
    ext = rest;
  }
  return true;
}

std::string e_message_b64(std::string_view server_error) {
  return base::base64_encode("e=" + std::string(server_error));
}

}  // namespace

ScramKeys derive_scram_keys(std::string_view password, std::string_view salt,
                            std::uint32_t iterations) {
  std::string salted(kScramKeySize, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes(salt),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(salted.size()),
                        reinterpret_cast<unsigned char*>(salted.data())) != 1) {
    wipe(salted);
    throw std::runtime_error("PBKDF2-HMAC-SHA-256 failed in OpenSSL");
  }
  std::string client_key = hmac_sha256(salted, "Client Key");
  ScramKeys keys;
  keys.salt = std::string(salt);
  keys.iterations = iterations;
  keys.stored_key = sha256(client_key);
  keys.server_key = hmac_sha256(salted, "Server Key");
  wipe(client_key);
  wipe(salted);
  return keys;
}

base::Result<ScramKeys> make_scram_keys(std::string_view password, std::uint32_t iterations) {
  if (auto c = check_sasl_password(password); !c) return c.error();
  if (iterations < kScramMinIterations || iterations > kScramMaxIterations) {
    return base::make_error(fmt::format("SCRAM iteration count must be between {} and {}",
                                        kScramMinIterations, kScramMaxIterations));
  }
  if (!sodium_ready()) return base::make_error("libsodium could not be initialised");
  std::string salt(kScramSaltSize, '\0');
  randombytes_buf(salt.data(), salt.size());
  return derive_scram_keys(password, salt, iterations);
}

std::string format_scram_keys(const ScramKeys& keys) {
  return fmt::format("{}${}:{}${}:{}", kScramSha256, keys.iterations,
                     base::base64_encode(keys.salt), base::base64_encode(keys.stored_key),
                     base::base64_encode(keys.server_key));
}

base::Result<ScramKeys> parse_scram_keys(std::string_view text) {
  const auto bad = [](std::string_view why) {
    return base::make_error(fmt::format("SCRAM key string is malformed: {}", why));
  };
  const std::string prefix = std::string(kScramSha256) + "$";
  if (!text.starts_with(prefix)) return bad("it does not start with SCRAM-SHA-256$");
  text.remove_prefix(prefix.size());
  const auto dollar = text.find('$');
  if (dollar == std::string_view::npos) return bad("missing '$' before the keys");
  const std::string_view params = text.substr(0, dollar);
  const std::string_view key_part = text.substr(dollar + 1);
  const auto c1 = params.find(':');
  const auto c2 = key_part.find(':');
  if (c1 == std::string_view::npos || c2 == std::string_view::npos) return bad("missing ':'");
  const std::string_view iter_text = params.substr(0, c1);
  ScramKeys keys;
  const auto [end, ec] =
      std::from_chars(iter_text.data(), iter_text.data() + iter_text.size(), keys.iterations);
  if (ec != std::errc() || end != iter_text.data() + iter_text.size() || iter_text.empty() ||
      iter_text[0] == '0') {
    return bad("the iteration count is not a number");
  }
  if (keys.iterations < kScramMinIterations || keys.iterations > kScramMaxIterations) {
    return bad("the iteration count is out of range");
  }
  auto salt = base::base64_decode(params.substr(c1 + 1));
  auto stored = base::base64_decode(key_part.substr(0, c2));
  auto server = base::base64_decode(key_part.substr(c2 + 1));
  if (!salt || !stored || !server) return bad("a field is not valid base64");
  if (salt->empty()) return bad("the salt is empty");
  if (stored->size() != kScramKeySize || server->size() != kScramKeySize) {
    return bad("a key is not 32 bytes");
  }
  keys.salt = std::move(*salt);
  keys.stored_key = std::move(*stored);
  keys.server_key = std::move(*server);
  return keys;
}

ScramKeys fake_scram_keys(std::string_view secret, std::string_view username) {
  // Domain-separated HMACs of the username: stable for one secret, so
  // repeated probes see the same salt, and unrelated to any real password.
  const std::string user(username);
  ScramKeys keys;
  keys.salt =
      hmac_sha256(secret, std::string("herald scram salt") + '\0' + user).substr(0, kScramSaltSize);
  keys.iterations = kScramDefaultIterations;
  keys.stored_key = hmac_sha256(secret, std::string("herald scram stored") + '\0' + user);
  keys.server_key = hmac_sha256(secret, std::string("herald scram server") + '\0' + user);
  return keys;
}

ScramServer::ScramServer(ScramOptions options) : options_(std::move(options)) {}

ScramServer::~ScramServer() {
  wipe_keys();
  wipe(options_.tls_exporter);
  wipe(options_.fake_key_secret);
}

void ScramServer::wipe_keys() {
  wipe(keys_.stored_key);
  wipe(keys_.server_key);
}

ScramStep ScramServer::fail(std::string reason, bool cancelled) {
  state_ = State::done;
  wipe_keys();
  return SaslFailure{std::move(reason), cancelled};
}

ScramStep ScramServer::reject(std::string server_error, std::string reason) {
  state_ = State::done;
  wipe_keys();
  std::string b64 = e_message_b64(server_error);
  return ScramRejected{username_, std::move(server_error), std::move(b64), std::move(reason)};
}

ScramStep ScramServer::start(std::optional<std::string_view> initial_b64) {
  if (state_ != State::idle) return fail("SCRAM exchange already started");
  if (options_.plus && options_.tls_exporter.size() != kTlsExporterSize) {
    // A session bug, not a client error: -PLUS must not be offered without it.
    return fail("SCRAM-SHA-256-PLUS needs the TLS exporter value, which is missing");
  }
  if (!initial_b64) {
    state_ = State::want_client_first;
    return SaslChallenge{""};
  }
  return take_client_first(*initial_b64);
}

ScramStep ScramServer::respond(std::string_view line_b64) {
  switch (state_) {
    case State::want_client_first:
    case State::want_client_final:
    case State::want_ack:
      break;
    default:
      return fail("SCRAM exchange is not waiting for a response");
  }
  if (is_sasl_cancel(line_b64)) return fail("authentication cancelled by the client", true);
  if (state_ == State::want_client_first) return take_client_first(line_b64);
  if (state_ == State::want_client_final) return take_client_final(line_b64);
  return take_ack(line_b64);
}

ScramStep ScramServer::take_client_first(std::string_view line_b64) {
  auto decoded = decode_sasl_response(line_b64);
  if (!decoded) return fail(decoded.error().message);
  std::string_view msg = decoded->view();

  // gs2-header = cbind-flag "," [authzid] ","
  const auto c1 = msg.find(',');
  const auto c2 = c1 == std::string_view::npos ? c1 : msg.find(',', c1 + 1);
  if (c2 == std::string_view::npos) return fail("SCRAM client-first message has no GS2 header");
  const std::string_view flag = msg.substr(0, c1);
  const std::string_view authz = msg.substr(c1 + 1, c2 - c1 - 1);
  const std::string_view bare = msg.substr(c2 + 1);
  if (flag == "p=tls-exporter") {
    if (!options_.plus) {
      // RFC 5802 §6: binding requested on the non-PLUS mechanism.
      return fail("client asked for channel binding on SCRAM-SHA-256; use SCRAM-SHA-256-PLUS");
    }
  } else if (flag.starts_with("p=")) {
    return fail("SCRAM channel binding type is not supported; only tls-exporter is");
  } else if (flag == "n" || flag == "y") {
    if (options_.plus) return fail("SCRAM-SHA-256-PLUS requires channel binding (p=tls-exporter)");
  } else {
    return fail("SCRAM GS2 header has an unknown channel-binding flag");
  }
  if (!authz.empty()) {
    if (!authz.starts_with("a=")) return fail("SCRAM GS2 header has a malformed authzid");
    auto a = decode_saslname(authz.substr(2), "authorization identity");
    if (!a) return fail(a.error().message);
    authzid_ = std::move(*a);
  }
  gs2_header_ = std::string(msg.substr(0, c2 + 1));

  // client-first-message-bare = [m=...,] n=user,r=nonce[,extensions]
  auto [user_attr, after_user] = split_attr(bare);
  if (user_attr.starts_with("m=")) return fail("SCRAM mandatory extensions are not supported");
  if (!user_attr.starts_with("n=")) return fail("SCRAM client-first message has no username");
  auto user = decode_saslname(user_attr.substr(2), "username");
  if (!user) return fail(user.error().message);
  auto [nonce_attr, extensions] = split_attr(after_user);
  if (!nonce_attr.starts_with("r=") || !valid_nonce(nonce_attr.substr(2))) {
    return fail("SCRAM client nonce is missing or malformed");
  }
  if (!valid_extensions(extensions) || after_user.ends_with(',')) {
    return fail("SCRAM client-first message has malformed extensions");
  }
  if (!authzid_.empty() && authzid_ != *user) {
    return fail(
        "authorization identity differs from the username; herald does not support proxy "
        "authorization, leave it empty");
  }
  username_ = std::move(*user);
  client_first_bare_ = std::string(bare);
  const std::string server_nonce =
      options_.server_nonce.empty() ? random_server_nonce() : options_.server_nonce;
  nonce_ = std::string(nonce_attr.substr(2)) + server_nonce;

  if (flag == "y" && options_.plus_advertised) {
    // RFC 5802 §6: the client could bind and we offered it, yet it believes
    // we cannot — someone stripped -PLUS from EHLO.
    return reject("server-does-support-channel-binding",
                  "client could bind to TLS but was told the server cannot (downgrade)");
  }
  state_ = State::want_keys;
  return ScramKeysNeeded{authzid_, username_};
}

ScramStep ScramServer::provide_keys(std::optional<ScramKeys> keys) {
  if (state_ != State::want_keys) return fail("SCRAM exchange is not waiting for keys");
  const bool usable = keys && !keys->salt.empty() && keys->iterations >= 1 &&
                      keys->stored_key.size() == kScramKeySize &&
                      keys->server_key.size() == kScramKeySize;
  if (usable) {
    keys_ = std::move(*keys);
  } else {
    // Same reply shape as a real user; the proof can never match.
    keys_ = fake_scram_keys(
        options_.fake_key_secret.empty() ? process_fake_secret() : options_.fake_key_secret,
        username_);
  }
  if (keys) {
    wipe(keys->stored_key);
    wipe(keys->server_key);
  }
  server_first_ =
      fmt::format("r={},s={},i={}", nonce_, base::base64_encode(keys_.salt), keys_.iterations);
  state_ = State::want_client_final;
  return SaslChallenge{base::base64_encode(server_first_)};
}

ScramStep ScramServer::take_client_final(std::string_view line_b64) {
  auto decoded = decode_sasl_response(line_b64);
  if (!decoded) return fail(decoded.error().message);
  const std::string_view msg = decoded->view();

  // client-final = c=cb,r=nonce[,extensions],p=proof — the proof comes last.
  const auto p_at = msg.rfind(",p=");
  if (p_at == std::string_view::npos) return fail("SCRAM client-final message has no proof");
  const std::string_view without_proof = msg.substr(0, p_at);
  const std::string_view proof_b64 = msg.substr(p_at + 3);
  auto [cb_attr, after_cb] = split_attr(without_proof);
  auto [nonce_attr, extensions] = split_attr(after_cb);
  if (!cb_attr.starts_with("c=") || !nonce_attr.starts_with("r=") ||
      !valid_extensions(extensions) || after_cb.ends_with(',')) {
    return fail("SCRAM client-final message is malformed");
  }
  auto proof = base::base64_decode(proof_b64);
  if (!proof || proof->size() != kScramKeySize) return fail("SCRAM client proof is malformed");

  // Channel binding: base64(gs2-header + cbind-data); without binding that
  // is the header alone ("biws" for "n,,").
  std::string expected_cb = gs2_header_;
  if (options_.plus) expected_cb += options_.tls_exporter;
  const bool cb_ok = same_bytes(cb_attr.substr(2), base::base64_encode(expected_cb));
  wipe(expected_cb);
  if (!cb_ok) {
    return reject("channel-bindings-dont-match",
                  "SCRAM channel binding does not match this TLS connection");
  }
  if (nonce_attr.substr(2) != nonce_) {
    return reject("other-error", "SCRAM nonce in client-final does not match");
  }

  // AuthMessage = client-first-bare "," server-first "," client-final-without-proof
  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  std::string client_key = hmac_sha256(keys_.stored_key, auth_message);  // ClientSignature
  for (std::size_t i = 0; i < kScramKeySize; ++i) client_key[i] ^= (*proof)[i];
  std::string computed_stored = sha256(client_key);
  const bool proof_ok = same_bytes(computed_stored, keys_.stored_key);
  wipe(client_key);
  wipe(computed_stored);
  wipe(*proof);
  if (!proof_ok) return reject("invalid-proof", "SCRAM proof does not match (wrong password)");

  const std::string server_sig = hmac_sha256(keys_.server_key, auth_message);
  wipe_keys();
  state_ = State::want_ack;
  return SaslChallenge{base::base64_encode("v=" + base::base64_encode(server_sig))};
}

ScramStep ScramServer::take_ack(std::string_view line_b64) {
  // RFC 4954 §4: the client answers the server-final challenge with an empty
  // response; anything else is a confused client, not a success.
  if (!line_b64.empty() && line_b64 != "=") {
    return fail("SCRAM server-final message must be answered with an empty line");
  }
  state_ = State::done;
  return ScramAuthenticated{authzid_, username_};
}

}  // namespace herald::auth
