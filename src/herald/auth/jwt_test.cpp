// Tests for verify_jwt: each algorithm accepted with its own key, and the
// attacks and mistakes a verifier must refuse (alg none, HS256 with the
// public key, alg/key mismatch, wrong issuer/audience/time/scope, bad
// encodings, oversize tokens). Keys are generated per run; time is fixed.

#include "herald/auth/jwt.hpp"

#include <gtest/gtest.h>

#include "herald/auth/jwt_test_util.hpp"

namespace herald::auth {
namespace {

using test::b64url;
using test::KeyKind;
using test::make_jwt;
using test::TestKey;
using json = nlohmann::json;

constexpr std::int64_t kNow = 1'700'000'000;
const auto kNowTp = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));

const TestKey& rsa() {
  static const TestKey k = TestKey::generate(KeyKind::rsa, "rsa1");
  return k;
}
const TestKey& p256() {
  static const TestKey k = TestKey::generate(KeyKind::p256, "ec1");
  return k;
}
const TestKey& ed() {
  static const TestKey k = TestKey::generate(KeyKind::ed25519, "ed1");
  return k;
}

Jwks all_keys() {
  auto set = parse_jwks(test::jwks_of({&rsa(), &p256(), &ed()}));
  EXPECT_TRUE(set.ok()) << set.error().message;
  return std::move(*set);
}

JwtPolicy policy() {
  return JwtPolicy{"https://login.example.com/", "smtp", "mail.send"};
}

json claims() {
  return {{"iss", "https://login.example.com/"},
          {"aud", "smtp"},
          {"sub", "user-123"},
          {"email", "app@acme.example"},
          {"scope", "openid mail.send"},
          {"iat", kNow - 10},
          {"exp", kNow + 600}};
}

JwtResult check(const std::string& token, const Jwks& keys = all_keys()) {
  return verify_jwt(token, keys, policy(), kNowTp);
}

TEST(Jwt, ValidWithEachAlgorithm) {
  for (const TestKey* key : {&rsa(), &p256(), &ed()}) {
    auto r = check(make_jwt(*key, claims()));
    EXPECT_TRUE(r.ok()) << key->alg() << ": " << r.reason;
    EXPECT_EQ(r.identity, "app@acme.example");
  }
}

TEST(Jwt, IdentityFallsBackToSub) {
  json c = claims();
  c.erase("email");
  EXPECT_EQ(check(make_jwt(ed(), c)).identity, "user-123");
  c = claims();
  c["email_verified"] = false;  // an unverified address is not an identity
  EXPECT_EQ(check(make_jwt(ed(), c)).identity, "user-123");
  c.erase("sub");
  EXPECT_EQ(check(make_jwt(ed(), c)).status, JwtStatus::bad_claims);
}

TEST(Jwt, TimeClaims) {
  json c = claims();
  c["exp"] = kNow - 61;
  auto r = check(make_jwt(ed(), c));
  EXPECT_EQ(r.status, JwtStatus::bad_claims);
  EXPECT_EQ(r.reason, "token has expired");
  c["exp"] = kNow - 30;  // within the 60 s skew
  EXPECT_TRUE(check(make_jwt(ed(), c)).ok());
  c.erase("exp");
  EXPECT_EQ(check(make_jwt(ed(), c)).reason, "token has no expiry (exp)");
  c = claims();
  c["exp"] = "tomorrow";
  EXPECT_EQ(check(make_jwt(ed(), c)).status, JwtStatus::bad_claims);

  c = claims();
  c["nbf"] = kNow + 120;
  EXPECT_EQ(check(make_jwt(ed(), c)).reason, "token is not valid yet (nbf)");
  c["nbf"] = kNow + 30;
  EXPECT_TRUE(check(make_jwt(ed(), c)).ok());
  c = claims();
  c["iat"] = kNow + 3600;
  EXPECT_EQ(check(make_jwt(ed(), c)).reason, "token is not valid yet (iat)");
  c["iat"] = 1e300;
  EXPECT_EQ(check(make_jwt(ed(), c)).status, JwtStatus::bad_claims);
}

TEST(Jwt, IssuerAndAudience) {
  json c = claims();
  c["iss"] = "https://login.example.com";  // no trailing slash: not equal
  EXPECT_EQ(check(make_jwt(rsa(), c)).reason, "token is from another issuer");
  c.erase("iss");
  EXPECT_EQ(check(make_jwt(rsa(), c)).status, JwtStatus::bad_claims);

  c = claims();
  c["aud"] = "imap";
  EXPECT_EQ(check(make_jwt(rsa(), c)).reason, "token is not for this audience (aud)");
  c["aud"] = json::array({"imap", "smtp"});
  EXPECT_TRUE(check(make_jwt(rsa(), c)).ok());
  c["aud"] = json::array({"imap"});
  EXPECT_EQ(check(make_jwt(rsa(), c)).status, JwtStatus::bad_claims);
  c.erase("aud");
  EXPECT_EQ(check(make_jwt(rsa(), c)).status, JwtStatus::bad_claims);
}

TEST(Jwt, Scope) {
  json c = claims();
  c["scope"] = "openid mail.sendx";
  EXPECT_EQ(check(make_jwt(p256(), c)).reason, "token lacks the required scope mail.send");
  c.erase("scope");
  EXPECT_EQ(check(make_jwt(p256(), c)).status, JwtStatus::bad_claims);
  c["scp"] = json::array({"a", "mail.send"});
  EXPECT_TRUE(check(make_jwt(p256(), c)).ok());
  c["scp"] = "mail.read mail.send";  // Microsoft's string form
  EXPECT_TRUE(check(make_jwt(p256(), c)).ok());
  JwtPolicy none = policy();
  none.required_scope.clear();
  c.erase("scp");
  EXPECT_TRUE(verify_jwt(make_jwt(p256(), c), all_keys(), none, kNowTp).ok());
}

TEST(Jwt, BadSignature) {
  std::string token = make_jwt(rsa(), claims());
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check(token).status, JwtStatus::bad_signature);
  // Claims changed after signing.
  const std::string good = make_jwt(ed(), claims());
  json c = claims();
  c["email"] = "boss@acme.example";
  const auto dot1 = good.find('.');
  const auto dot2 = good.rfind('.');
  const std::string forged = good.substr(0, dot1 + 1) + b64url(c.dump()) + good.substr(dot2);
  EXPECT_EQ(check(forged).status, JwtStatus::bad_signature);
  // Signed by a key with the same kid that is not in the set.
  TestKey other = TestKey::generate(KeyKind::ed25519, "ed1");
  EXPECT_EQ(check(make_jwt(other, claims())).status, JwtStatus::bad_signature);
}

TEST(Jwt, AlgNoneRefused) {
  json header = {{"alg", "none"}, {"kid", "ed1"}};
  const std::string token = b64url(header.dump()) + "." + b64url(claims().dump()) + ".";
  auto r = check(token);
  EXPECT_EQ(r.status, JwtStatus::bad_signature);
  EXPECT_EQ(r.reason, "unsigned token (alg none)");
}

TEST(Jwt, Hs256WithPublicKeyRefused) {
  // The classic key confusion: sign with HMAC using the RSA public key (as
  // the JWK JSON, and as the raw modulus) as the secret.
  for (const std::string& secret :
       {rsa().jwk().dump(), TestKey::bn_bytes(rsa().pkey.get(), OSSL_PKEY_PARAM_RSA_N)}) {
    json header = {{"alg", "HS256"}, {"kid", "rsa1"}};
    const std::string input = b64url(header.dump()) + "." + b64url(claims().dump());
    const std::string token = input + "." + b64url(test::hmac_sha256(secret, input));
    auto r = check(token);
    EXPECT_EQ(r.status, JwtStatus::bad_signature);
    EXPECT_EQ(r.reason, "HMAC-signed token (alg HS*) refused");
  }
}

TEST(Jwt, AlgMustMatchKey) {
  // An RSA key's kid with an ES256 header: refused before any verification.
  json header = {{"alg", "ES256"}, {"kid", "rsa1"}};
  const std::string input = b64url(header.dump()) + "." + b64url(claims().dump());
  auto r = check(input + "." + b64url(p256().sign(input)));
  EXPECT_EQ(r.status, JwtStatus::bad_signature);
  EXPECT_EQ(r.reason, "token alg does not match its key's type");
  header = {{"alg", "PS256"}, {"kid", "rsa1"}};
  EXPECT_EQ(check(make_jwt(rsa(), claims(), header)).reason, "token algorithm is not supported");
  header = {{"alg", "EdDSA"}, {"kid", "ed1"}, {"crit", json::array({"b64"})}};
  EXPECT_EQ(check(make_jwt(ed(), claims(), header)).status, JwtStatus::malformed);
}

TEST(Jwt, KidSelection) {
  TestKey stranger = TestKey::generate(KeyKind::ed25519, "new-key");
  auto r = check(make_jwt(stranger, claims()));
  EXPECT_EQ(r.status, JwtStatus::unknown_key);
  // No kid: fine with a single key, refused with several.
  TestKey nokid = TestKey::generate(KeyKind::ed25519, "");
  json header = {{"alg", "EdDSA"}};
  auto single = parse_jwks(test::jwks_of({&nokid}));
  ASSERT_TRUE(single.ok());
  EXPECT_TRUE(check(make_jwt(nokid, claims(), header), *single).ok());
  EXPECT_EQ(check(make_jwt(ed(), claims(), header)).status, JwtStatus::malformed);
}

TEST(Jwt, MalformedInput) {
  const std::string good = make_jwt(ed(), claims());
  EXPECT_EQ(check("").status, JwtStatus::malformed);
  EXPECT_EQ(check("a.b").status, JwtStatus::malformed);
  EXPECT_EQ(check(good + ".x.y").status, JwtStatus::malformed);  // JWE shape
  EXPECT_EQ(check("e30=.e30.AA").status, JwtStatus::malformed);  // padding
  EXPECT_EQ(check("e30.e3+.AA").status, JwtStatus::malformed);   // '+' is not base64url
  EXPECT_EQ(check(" " + good).status, JwtStatus::malformed);
  // Header not JSON, not an object, duplicate names.
  for (const std::string header : {"{", "[1]", R"({"alg":"EdDSA","alg":"none"})"}) {
    EXPECT_EQ(check(b64url(header) + "." + good.substr(good.find('.') + 1)).status,
              JwtStatus::malformed)
        << header;
  }
  // Claims that are not JSON, correctly signed.
  json header = {{"alg", "EdDSA"}, {"kid", "ed1"}};
  const std::string input = b64url(header.dump()) + "." + b64url("not json");
  EXPECT_EQ(check(input + "." + b64url(ed().sign(input))).status, JwtStatus::malformed);
  // Deep nesting in the claims.
  std::string deep = R"({"a":)" + std::string(40, '[') + std::string(40, ']') + "}";
  const std::string input2 = b64url(header.dump()) + "." + b64url(deep);
  EXPECT_EQ(check(input2 + "." + b64url(ed().sign(input2))).reason,
            "token claims: JSON is nested too deeply");
}

TEST(Jwt, OversizeTokenRefused) {
  json c = claims();
  c["padding"] = std::string(9000, 'x');
  auto r = check(make_jwt(ed(), c));
  EXPECT_EQ(r.status, JwtStatus::malformed);
  EXPECT_EQ(r.reason, "token is larger than 8 KiB");
}

TEST(Jwt, ReasonsNeverEchoTheToken) {
  json c = claims();
  c["iss"] = "https://evil.example/SECRETISS";
  auto r = check(make_jwt(ed(), c));
  EXPECT_EQ(r.reason.find("SECRETISS"), std::string::npos);
  json header = {{"alg", "SECRETALG"}};
  r = check(make_jwt(ed(), claims(), header));
  EXPECT_EQ(r.reason.find("SECRETALG"), std::string::npos);
}

}  // namespace
}  // namespace herald::auth
