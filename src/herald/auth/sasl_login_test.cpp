// Tests for the LOGIN state machine.

#include "herald/auth/sasl_login.hpp"

#include <gtest/gtest.h>

#include "herald/auth/sasl_test_util.hpp"

namespace herald::auth {
namespace {

using test::b64;

std::string challenge(const SaslStep& step) {
  const auto* c = std::get_if<SaslChallenge>(&step);
  return c ? c->b64 : "<not a challenge>";
}

TEST(SaslLogin, FullExchange) {
  SaslLogin m;
  EXPECT_EQ(challenge(m.start(std::nullopt)), "VXNlcm5hbWU6");
  EXPECT_EQ(b64("Username:"), kLoginUsernameChallenge);
  EXPECT_EQ(challenge(m.respond(b64("alice@example.com"))), "UGFzc3dvcmQ6");
  EXPECT_EQ(b64("Password:"), kLoginPasswordChallenge);
  auto step = m.respond(b64("s3cret"));
  auto* creds = std::get_if<SaslCredentials>(&step);
  ASSERT_NE(creds, nullptr);
  EXPECT_EQ(creds->authzid, "");
  EXPECT_EQ(creds->username, "alice@example.com");
  EXPECT_EQ(creds->password.view(), "s3cret");
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(m.respond(b64("more"))));
}

TEST(SaslLogin, InitialResponseIsUsername) {
  SaslLogin m;
  EXPECT_EQ(challenge(m.start(b64("alice"))), "UGFzc3dvcmQ6");
  auto step = m.respond(b64("pw"));
  ASSERT_TRUE(std::holds_alternative<SaslCredentials>(step));
  EXPECT_EQ(std::get<SaslCredentials>(step).username, "alice");
}

TEST(SaslLogin, DecodingErrors) {
  SaslLogin bad_user;
  (void)bad_user.start(std::nullopt);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(bad_user.respond("not base64!")));
  // A failed machine stays failed.
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(bad_user.respond(b64("alice"))));

  SaslLogin bad_pass;
  (void)bad_pass.start(b64("alice"));
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(bad_pass.respond("YQ")));

  SaslLogin empty_user;
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(empty_user.start("=")));

  SaslLogin empty_pass;
  (void)empty_pass.start(b64("alice"));
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(empty_pass.respond("")));

  SaslLogin nul_pass;
  (void)nul_pass.start(b64("alice"));
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(nul_pass.respond(b64(std::string("a\0b", 3)))));

  SaslLogin long_user;
  (void)long_user.start(std::nullopt);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(long_user.respond(b64(std::string(256, 'u')))));

  SaslLogin ctl_user;
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(ctl_user.start(b64("al\r\nice"))));
}

TEST(SaslLogin, CancelAtEitherPrompt) {
  SaslLogin a;
  (void)a.start(std::nullopt);
  auto step = a.respond("*");
  ASSERT_TRUE(std::holds_alternative<SaslFailure>(step));
  EXPECT_TRUE(std::get<SaslFailure>(step).cancelled);

  SaslLogin b;
  (void)b.start(b64("alice"));
  step = b.respond("*");
  ASSERT_TRUE(std::holds_alternative<SaslFailure>(step));
  EXPECT_TRUE(std::get<SaslFailure>(step).cancelled);
}

TEST(SaslLogin, RespondBeforeStartFails) {
  SaslLogin m;
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(m.respond(b64("alice"))));
}

}  // namespace
}  // namespace herald::auth
