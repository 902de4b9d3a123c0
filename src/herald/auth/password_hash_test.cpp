// Tests for Argon2id hashing, SecretString and the shared SASL text rules.

#include "herald/auth/password_hash.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "herald/auth/sasl_test_util.hpp"
#include "herald/auth/sasl_text.hpp"
#include "herald/auth/secret_string.hpp"

namespace herald::auth {
namespace {

TEST(PasswordHash, RoundTripAndWrongPassword) {
  const auto start = std::chrono::steady_clock::now();
  auto h = hash_password("correct horse battery staple");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(verify_password(*h, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*h, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(*h, ""));
  EXPECT_FALSE(password_hash_needs_rehash(*h));
  std::printf(
      "argon2id hash took %lld ms\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
}

TEST(PasswordHash, SaltsDiffer) {
  auto a = hash_password("pw");
  auto b = hash_password("pw");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(PasswordHash, RejectsBadInput) {
  EXPECT_FALSE(hash_password("").ok());
  EXPECT_FALSE(hash_password(std::string(kMaxPasswordLength + 1, 'x')).ok());
  EXPECT_FALSE(verify_password("", "pw"));
  EXPECT_FALSE(verify_password("not a hash", "pw"));
  EXPECT_FALSE(verify_password(std::string(500, '$'), "pw"));
  EXPECT_TRUE(password_hash_needs_rehash("not a hash"));
}

TEST(SecretString, HoldsMovesAndWipes) {
  SecretString s("hunter2");
  EXPECT_EQ(s.view(), "hunter2");
  SecretString t = std::move(s);
  EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(t.view(), "hunter2");
  t.truncate(4);
  EXPECT_EQ(t.view(), "hunt");
  t.wipe();
  EXPECT_TRUE(t.empty());
  SecretString z = SecretString::zeroed(3);
  EXPECT_EQ(z.view(), std::string_view("\0\0\0", 3));
}

TEST(SaslText, StrictBase64) {
  auto ok = decode_sasl_response("aGVsbG8=");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->view(), "hello");
  EXPECT_TRUE(decode_sasl_response("=")->empty());
  EXPECT_TRUE(decode_sasl_response("")->empty());
  EXPECT_FALSE(decode_sasl_response("aGVsbG8").ok());     // missing padding
  EXPECT_FALSE(decode_sasl_response("aGVsbG9=").ok());    // non-zero trailing bits
  EXPECT_FALSE(decode_sasl_response("aGVs bG8=").ok());   // whitespace
  EXPECT_FALSE(decode_sasl_response("aGVsbG8=\r").ok());  // CR
  EXPECT_FALSE(decode_sasl_response("a-_b").ok());        // URL-safe alphabet
  EXPECT_FALSE(decode_sasl_response("aGVsbG8==").ok());   // extra padding
  EXPECT_FALSE(decode_sasl_response(std::string(1028, 'A')).ok());
  EXPECT_TRUE(decode_sasl_response(std::string(1024, 'A')).ok());
  EXPECT_EQ(decode_sasl_response(test::b64(std::string("a\0b", 3)))->view(),
            std::string_view("a\0b", 3));
}

TEST(SaslText, Identities) {
  EXPECT_TRUE(check_sasl_identity("user@example.com", "username").ok());
  EXPECT_TRUE(check_sasl_identity("j\xC3\xBCrgen@example.com", "username").ok());
  EXPECT_FALSE(check_sasl_identity("", "username").ok());
  EXPECT_FALSE(check_sasl_identity(std::string(256, 'a'), "username").ok());
  EXPECT_FALSE(check_sasl_identity("a\nb", "username").ok());
  EXPECT_FALSE(check_sasl_identity("a\x7f", "username").ok());
  EXPECT_FALSE(check_sasl_identity("\xC0\xAF", "username").ok());      // overlong
  EXPECT_FALSE(check_sasl_identity("\xED\xA0\x80", "username").ok());  // surrogate
  EXPECT_FALSE(check_sasl_identity("\xF4\x90\x80\x80", "username").ok());
  EXPECT_FALSE(check_sasl_identity("\xE2\x82", "username").ok());  // truncated
  EXPECT_TRUE(check_sasl_password("p\xFF\x01").ok());              // any bytes but NUL
  EXPECT_FALSE(check_sasl_password(std::string("a\0b", 3)).ok());
  EXPECT_FALSE(check_sasl_password(std::string(256, 'p')).ok());
}

}  // namespace
}  // namespace herald::auth
