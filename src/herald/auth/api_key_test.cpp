#include "herald/auth/api_key.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace herald::auth {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(ApiKey, GeneratedTokensParseAndHash) {
  auto k = generate_api_key();
  EXPECT_EQ(k.token.rfind("hk_", 0), 0u);
  auto parsed = parse_api_key(k.token);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->id, k.id);
  EXPECT_EQ(hash_api_key_secret(parsed->secret), k.secret_hash);
  EXPECT_NE(generate_api_key().token, k.token);
}

TEST(ApiKey, MalformedTokensAreRefused) {
  auto k = generate_api_key();
  EXPECT_FALSE(parse_api_key(""));
  EXPECT_FALSE(parse_api_key("password"));
  EXPECT_FALSE(parse_api_key(k.token.substr(1)));
  EXPECT_FALSE(parse_api_key(k.token + "0"));
  std::string upper = k.token;
  upper.back() = 'G';
  EXPECT_FALSE(parse_api_key(upper));
}

TEST(ApiKey, ScopesAndPatterns) {
  EXPECT_TRUE(validate_scope("mail.send"));
  EXPECT_TRUE(validate_scope("mail.send:acme.example"));
  EXPECT_FALSE(validate_scope("mail.read"));
  EXPECT_FALSE(validate_scope("mail.send:"));
  EXPECT_FALSE(validate_scope("mail.send:*.example"));
  EXPECT_TRUE(validate_sender_pattern("*@acme.example"));
  EXPECT_TRUE(validate_sender_pattern("noreply@acme.example"));
  EXPECT_FALSE(validate_sender_pattern("acme.example"));
  EXPECT_FALSE(validate_sender_pattern("a b@acme.example"));
}

class ApiKeyVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("herald-apikey-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::Store::open((dir_ / "h.db").string());
    ASSERT_TRUE(s);
    store_.emplace(std::move(*s));
    ASSERT_TRUE(store_->add_account("acme"));
    ASSERT_TRUE(store_->add_login("app@acme.example", "acme", "$argon2id$fake"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  NewApiKey add(std::vector<std::string> ips = {}, std::optional<std::int64_t> expires = {}) {
    auto k = generate_api_key();
    store::ApiKey key;
    key.id = k.id;
    key.account = "acme";
    key.scopes = {"mail.send"};
    key.allowed_ips = std::move(ips);
    key.expires_at = expires;
    EXPECT_TRUE(store_->add_api_key(key, k.secret_hash));
    return k;
  }

  fs::path dir_;
  std::optional<store::Store> store_;
};

TEST_F(ApiKeyVerifierTest, ValidKeyCarriesItsAttributes) {
  auto k = add();
  ApiKeyVerifier v(*store_);
  auto r = v.verify(k.token, "192.0.2.1");
  ASSERT_TRUE(r.ok) << r.reason_for_log;
  EXPECT_EQ(r.account, "acme");
  EXPECT_EQ(r.scopes, std::vector<std::string>{"mail.send"});
  EXPECT_EQ(r.account_addresses, std::vector<std::string>{"app@acme.example"});
  EXPECT_EQ((*store_->find_api_key(k.id))->key.last_used_ip, "192.0.2.1");
}

TEST_F(ApiKeyVerifierTest, WrongSecretRevokedExpiredAndForeignIpFail) {
  auto k = add();
  ApiKeyVerifier v(*store_);
  std::string wrong = k.token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_EQ(v.verify(wrong, "192.0.2.1").reason_for_log, "wrong secret");
  ASSERT_TRUE(store_->revoke_api_key(k.id));
  EXPECT_EQ(v.verify(k.token, "192.0.2.1").reason_for_log, "revoked");

  auto now = std::chrono::system_clock::now();
  std::int64_t t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto expiring = add({}, t + 60);
  ApiKeyVerifier later(*store_, [now] { return now + 61s; });
  EXPECT_TRUE(v.verify(expiring.token, "192.0.2.1").ok);
  EXPECT_EQ(later.verify(expiring.token, "192.0.2.1").reason_for_log, "expired");

  auto fenced = add({"198.51.100.0/24", "2001:db8::/32"});
  EXPECT_TRUE(v.verify(fenced.token, "198.51.100.7").ok);
  EXPECT_TRUE(v.verify(fenced.token, "2001:db8::5").ok);
  EXPECT_FALSE(v.verify(fenced.token, "192.0.2.1").ok);
  EXPECT_FALSE(v.verify("hk_nosuchkeyxx_" + std::string(64, 'a'), "192.0.2.1").ok);
}

}  // namespace
}  // namespace herald::auth
