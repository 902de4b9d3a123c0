// Tests for SCRAM-SHA-256(-PLUS): key derivation and storage form, the RFC
// 7677 test vector, and the server's failure paths (with a tiny test client).

#include "herald/auth/scram.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "herald/auth/sasl_test_util.hpp"
#include "herald/base/base64.hpp"

namespace herald::auth {
namespace {

using test::b64;

std::string unb64(std::string_view s) {
  auto r = base::base64_decode(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : std::string();
}

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// The client side of the proof, written independently of the server code.
std::string client_proof(std::string_view password, std::string_view salt, int iterations,
                         std::string_view auth_message) {
  unsigned char salted[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), 32, salted);
  const std::string client_key = hmac({reinterpret_cast<char*>(salted), 32}, "Client Key");
  unsigned char stored[32];
  unsigned int len = 0;
  EVP_Digest(client_key.data(), client_key.size(), stored, &len, EVP_sha256(), nullptr);
  std::string proof = hmac({reinterpret_cast<char*>(stored), 32}, auth_message);
  for (std::size_t i = 0; i < proof.size(); ++i) proof[i] ^= client_key[i];
  return base::base64_encode(proof);
}

constexpr std::string_view kClientNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kSaltB64 = "W22ZaJ0SNY7soEsUEjb6gQ==";

ScramKeys rfc_keys() {
  return derive_scram_keys("pencil", unb64(kSaltB64), 4096);
}

// Drives one exchange up to the server-first message; returns it decoded.
std::string to_server_first(ScramServer& s, std::string_view client_first,
                            std::optional<ScramKeys> keys, std::string_view want_user = "user") {
  auto step = s.start(b64(client_first));
  auto* need = std::get_if<ScramKeysNeeded>(&step);
  EXPECT_NE(need, nullptr);
  if (need == nullptr) return {};
  EXPECT_EQ(need->username, want_user);
  step = s.provide_keys(std::move(keys));
  auto* ch = std::get_if<SaslChallenge>(&step);
  EXPECT_NE(ch, nullptr);
  return ch ? unb64(ch->b64) : std::string();
}

ScramOptions rfc_options() {
  ScramOptions o;
  o.server_nonce = std::string(kServerNonce);
  return o;
}

TEST(ScramKeys, Rfc7677Derivation) {
  const ScramKeys k = rfc_keys();
  EXPECT_EQ(k.iterations, 4096u);
  EXPECT_EQ(k.stored_key.size(), 32u);
  EXPECT_EQ(k.server_key.size(), 32u);
  EXPECT_NE(k.stored_key, k.server_key);
}

TEST(ScramKeys, FormatParseRoundTrip) {
  const ScramKeys k = rfc_keys();
  const std::string text = format_scram_keys(k);
  EXPECT_TRUE(text.starts_with("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$")) << text;
  auto back = parse_scram_keys(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->salt, k.salt);
  EXPECT_EQ(back->iterations, k.iterations);
  EXPECT_EQ(back->stored_key, k.stored_key);
  EXPECT_EQ(back->server_key, k.server_key);
}

TEST(ScramKeys, ParseRejects) {
  const std::string good = format_scram_keys(rfc_keys());
  EXPECT_FALSE(parse_scram_keys("").ok());
  EXPECT_FALSE(parse_scram_keys("SCRAM-SHA-1" + good.substr(13)).ok());
  const auto colon = good.find(':');
  EXPECT_FALSE(parse_scram_keys("SCRAM-SHA-256$abc" + good.substr(colon)).ok());
  EXPECT_FALSE(parse_scram_keys("SCRAM-SHA-256$100" + good.substr(colon)).ok());  // too few
  EXPECT_FALSE(parse_scram_keys("SCRAM-SHA-256$04096" + good.substr(colon)).ok());
  EXPECT_FALSE(parse_scram_keys(good + "A").ok());
  EXPECT_FALSE(parse_scram_keys(good.substr(0, good.rfind(':'))).ok());
  EXPECT_FALSE(parse_scram_keys("SCRAM-SHA-256$4096:$" + good.substr(good.rfind('$') + 1)).ok());
}

TEST(ScramKeys, MakeUsesFreshSalt) {
  auto a = make_scram_keys("pencil");
  auto b = make_scram_keys("pencil");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->salt.size(), kScramSaltSize);
  EXPECT_NE(a->salt, b->salt);
  EXPECT_NE(a->stored_key, b->stored_key);
  EXPECT_FALSE(make_scram_keys("").ok());
  EXPECT_FALSE(make_scram_keys("pw", 1000).ok());
}

TEST(ScramServer, Rfc7677Vector) {
  ScramServer s(rfc_options());
  EXPECT_EQ(s.name(), "SCRAM-SHA-256");
  const std::string client_first = "n,,n=user,r=" + std::string(kClientNonce);
  EXPECT_EQ(to_server_first(s, client_first, rfc_keys()),
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
            "i=4096");
  auto step =
      s.respond(b64("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
  auto* final_msg = std::get_if<SaslChallenge>(&step);
  ASSERT_NE(final_msg, nullptr);
  EXPECT_EQ(unb64(final_msg->b64), "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  step = s.respond("");
  auto* ok = std::get_if<ScramAuthenticated>(&step);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->username, "user");
  EXPECT_EQ(ok->authzid, "");
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(s.respond("")));  // finished
}

TEST(ScramServer, TestClientMatchesVector) {
  const std::string auth_message =
      "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)"
      "hNlF$k0";
  EXPECT_EQ(client_proof("pencil", unb64(kSaltB64), 4096, auth_message),
            "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
}

// Runs a whole exchange with the test client; returns the step after the
// client-final message.
ScramStep run(ScramServer& s, std::string_view gs2, std::string_view password,
              std::optional<ScramKeys> keys, std::string_view cb_data = {},
              std::string_view nonce_override = {}) {
  const std::string bare = "n=user,r=" + std::string(kClientNonce);
  const std::string server_first = to_server_first(s, std::string(gs2) + bare, std::move(keys));
  const auto r_end = server_first.find(',');
  const std::string nonce =
      nonce_override.empty() ? server_first.substr(2, r_end - 2) : std::string(nonce_override);
  const auto s_at = server_first.find(",s=") + 3;
  const auto i_at = server_first.find(",i=");
  const std::string salt = unb64(server_first.substr(s_at, i_at - s_at));
  const int iter = std::stoi(server_first.substr(i_at + 3));
  const std::string without_proof =
      "c=" + base::base64_encode(std::string(gs2) + std::string(cb_data)) + ",r=" + nonce;
  const std::string proof =
      client_proof(password, salt, iter, bare + "," + server_first + "," + without_proof);
  return s.respond(b64(without_proof + ",p=" + proof));
}

TEST(ScramServer, WrongPasswordIsInvalidProof) {
  ScramServer s(rfc_options());
  auto step = run(s, "n,,", "pencil2", rfc_keys());
  auto* rej = std::get_if<ScramRejected>(&step);
  ASSERT_NE(rej, nullptr);
  EXPECT_EQ(rej->server_error, "invalid-proof");
  EXPECT_EQ(rej->username, "user");
  EXPECT_EQ(unb64(rej->server_final_b64), "e=invalid-proof");
}

TEST(ScramServer, RightPasswordWithTestClient) {
  ScramServer s;  // random server nonce
  auto step = run(s, "n,,", "pencil", rfc_keys());
  ASSERT_TRUE(std::holds_alternative<SaslChallenge>(step));
  EXPECT_TRUE(std::holds_alternative<ScramAuthenticated>(s.respond("=")));
}

TEST(ScramServer, NonceMismatch) {
  ScramServer s(rfc_options());
  auto step = run(s, "n,,", "pencil", rfc_keys(), {}, "rOprNGfwEbeRWgbNEkqOforged");
  auto* rej = std::get_if<ScramRejected>(&step);
  ASSERT_NE(rej, nullptr);
  EXPECT_EQ(rej->server_error, "other-error");
}

TEST(ScramServer, BadChannelBindingOnPlainMechanism) {
  ScramServer s(rfc_options());
  // Proof computed over "c=" of "y,," while the header said "n,,".
  const std::string bare = "n=user,r=" + std::string(kClientNonce);
  const std::string sf = to_server_first(s, "n,," + bare, rfc_keys());
  const std::string wp = "c=eSws,r=" + sf.substr(2, sf.find(',') - 2);
  auto step = s.respond(
      b64(wp + ",p=" + client_proof("pencil", unb64(kSaltB64), 4096, bare + "," + sf + "," + wp)));
  auto* rej = std::get_if<ScramRejected>(&step);
  ASSERT_NE(rej, nullptr);
  EXPECT_EQ(rej->server_error, "channel-bindings-dont-match");
}

ScramOptions plus_options(std::string exporter) {
  ScramOptions o = rfc_options();
  o.plus = true;
  o.plus_advertised = true;
  o.tls_exporter = std::move(exporter);
  return o;
}

TEST(ScramServer, PlusWithCorrectBinding) {
  const std::string exporter(32, '\x5a');
  ScramServer s(plus_options(exporter));
  EXPECT_EQ(s.name(), "SCRAM-SHA-256-PLUS");
  auto step = run(s, "p=tls-exporter,,", "pencil", rfc_keys(), exporter);
  ASSERT_TRUE(std::holds_alternative<SaslChallenge>(step));
  EXPECT_TRUE(std::holds_alternative<ScramAuthenticated>(s.respond("")));
}

TEST(ScramServer, PlusWithOtherConnectionsBinding) {
  ScramServer s(plus_options(std::string(32, '\x5a')));
  auto step = run(s, "p=tls-exporter,,", "pencil", rfc_keys(), std::string(32, '\x5b'));
  auto* rej = std::get_if<ScramRejected>(&step);
  ASSERT_NE(rej, nullptr);
  EXPECT_EQ(rej->server_error, "channel-bindings-dont-match");
}

TEST(ScramServer, PlusRefusesUnboundOrOtherTypes) {
  for (std::string_view gs2 : {"n,,", "y,,", "p=tls-unique,,", "p=tls-server-end-point,,"}) {
    ScramServer s(plus_options(std::string(32, 'x')));
    auto step = s.start(b64(std::string(gs2) + "n=user,r=abc"));
    EXPECT_TRUE(std::holds_alternative<SaslFailure>(step)) << gs2;
  }
  ScramOptions missing = plus_options("");
  ScramServer s(missing);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(s.start(std::nullopt)));
}

TEST(ScramServer, PlainMechanismRefusesBindingRequest) {
  ScramServer s;
  auto step = s.start(b64("p=tls-exporter,,n=user,r=abc"));
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(step));
}

TEST(ScramServer, YFlagIsDowngradeWhenPlusOffered) {
  ScramOptions o = rfc_options();
  o.plus_advertised = true;
  ScramServer s(o);
  auto step = s.start(b64("y,,n=user,r=abc"));
  auto* rej = std::get_if<ScramRejected>(&step);
  ASSERT_NE(rej, nullptr);
  EXPECT_EQ(rej->server_error, "server-does-support-channel-binding");

  // Without -PLUS on offer, "y" is honest and binds to "y,,".
  ScramServer plain(rfc_options());
  auto ok = run(plain, "y,,", "pencil", rfc_keys());
  EXPECT_TRUE(std::holds_alternative<SaslChallenge>(ok));
}

TEST(ScramServer, UnknownUserFailsOnlyAtProof) {
  ScramOptions o = rfc_options();
  o.fake_key_secret = "k";
  ScramServer a(o), b(o);
  const std::string first = "n,,n=user,r=" + std::string(kClientNonce);
  const std::string sf1 = to_server_first(a, first, std::nullopt);
  const std::string sf2 = to_server_first(b, first, std::nullopt);
  EXPECT_EQ(sf1, sf2);  // stable salt: probes can't tell a fake from a real user
  EXPECT_NE(sf1.find(",i=4096"), std::string::npos);
  ScramServer c(o);
  auto step = run(c, "n,,", "pencil", std::nullopt);
  auto* rej = std::get_if<ScramRejected>(&step);
  ASSERT_NE(rej, nullptr);
  EXPECT_EQ(rej->server_error, "invalid-proof");
  EXPECT_EQ(unb64(base::base64_encode(fake_scram_keys("k", "user").salt)).size(), kScramSaltSize);
  EXPECT_NE(fake_scram_keys("k", "user").salt, fake_scram_keys("k", "other").salt);
}

TEST(ScramServer, UsernameEscapesAndAuthzid) {
  ScramServer s(rfc_options());
  auto step = s.start(b64("n,,n=a=2Cb=3Dc,r=abc"));
  auto* need = std::get_if<ScramKeysNeeded>(&step);
  ASSERT_NE(need, nullptr);
  EXPECT_EQ(need->username, "a,b=c");

  ScramServer same(rfc_options());
  step = same.start(b64("n,a=bob,n=bob,r=abc"));
  need = std::get_if<ScramKeysNeeded>(&step);
  ASSERT_NE(need, nullptr);
  EXPECT_EQ(need->authzid, "bob");

  ScramServer ext(rfc_options());  // optional extensions are ignored
  EXPECT_TRUE(std::holds_alternative<ScramKeysNeeded>(ext.start(b64("n,,n=u,r=abc,x=1,y=2"))));

  ScramServer proxy(rfc_options());
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(proxy.start(b64("n,a=alice,n=bob,r=abc"))));
}

TEST(ScramServer, MalformedClientFirst) {
  for (std::string_view msg :
       {"", "n,", "n,,", "x,,n=user,r=abc", "n,,n=user", "n,,r=abc", "n,,n=us=41er,r=abc",
        "n,,n=,r=abc", "n,,n=user,r=a,bc", "n,,n=user,r=abc,", "n,,m=ext,n=user,r=abc",
        "n,,n=us\ter,r=abc", "n,b=x,n=u,r=a"}) {
    ScramServer s;
    auto step = s.start(b64(msg));
    EXPECT_TRUE(std::holds_alternative<SaslFailure>(step)) << msg;
  }
  ScramServer s;
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(s.start("not base64!")));
}

TEST(ScramServer, MalformedClientFinal) {
  for (std::string_view msg :
       {"c=biws,r=x", "r=x,c=biws,p=AAAA", "c=biws,r=x,p=short", "c=biws,r=x,p=!!!"}) {
    ScramServer s(rfc_options());
    to_server_first(s, "n,,n=user,r=abc", rfc_keys());
    EXPECT_TRUE(std::holds_alternative<SaslFailure>(s.respond(b64(msg)))) << msg;
  }
}

TEST(ScramServer, ChallengeFirstAndCancel) {
  ScramServer s(rfc_options());
  auto step = s.start(std::nullopt);
  auto* ch = std::get_if<SaslChallenge>(&step);
  ASSERT_NE(ch, nullptr);
  EXPECT_EQ(ch->b64, "");
  EXPECT_TRUE(std::holds_alternative<ScramKeysNeeded>(s.respond(b64("n,,n=user,r=abc"))));
  EXPECT_TRUE(std::holds_alternative<SaslChallenge>(s.provide_keys(rfc_keys())));
  step = s.respond("*");
  auto* f = std::get_if<SaslFailure>(&step);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->cancelled);
}

TEST(ScramServer, AckMustBeEmptyAndOrderIsEnforced) {
  ScramServer s(rfc_options());
  ASSERT_TRUE(std::holds_alternative<SaslChallenge>(run(s, "n,,", "pencil", rfc_keys())));
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(s.respond(b64("hello"))));

  ScramServer early;
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(early.provide_keys(rfc_keys())));
  ScramServer twice;
  ASSERT_TRUE(std::holds_alternative<ScramKeysNeeded>(twice.start(b64("n,,n=u,r=a"))));
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(twice.respond(b64("c=biws,r=a,p=AAAA"))));
}

}  // namespace
}  // namespace herald::auth
