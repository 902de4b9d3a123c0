// Tests for CredentialVerifier: outcomes, the Argon2id cost of every
// failure, and the success cache (hits, invalidation, expiry, bounds).

#include "herald/auth/credential_verifier.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "herald/auth/password_hash.hpp"

namespace herald::auth {
namespace {

namespace fs = std::filesystem;

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("herald-verifier-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::Store::open((dir_ / "herald.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_.emplace(std::move(s).value());
    ASSERT_TRUE(store_->add_account("acme").ok());
    add("app@acme.test", "right password");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  void add(const std::string& address, const std::string& password) {
    auto h = hash_password(password);
    ASSERT_TRUE(h.ok());
    ASSERT_TRUE(store_->add_login(address, "acme", *h).ok());
  }

  fs::path dir_;
  std::optional<store::Store> store_;
};

TEST_F(VerifierTest, AcceptsTheRightPassword) {
  CredentialVerifier v(*store_);
  auto r = v.verify("App@ACME.test", "right password");
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.identity, "app@acme.test");
  EXPECT_EQ(r.account, "acme");
  EXPECT_EQ(r.reason_for_log, "ok");
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(v.argon2_calls(), 1u);
}

TEST_F(VerifierTest, RefusesWrongPasswordAfterArgon2) {
  CredentialVerifier v(*store_);
  auto r = v.verify("app@acme.test", "wrong password");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.identity, "app@acme.test");
  EXPECT_EQ(r.account, "");
  EXPECT_EQ(r.reason_for_log, "wrong password");
  EXPECT_EQ(v.argon2_calls(), 1u);
}

TEST_F(VerifierTest, UnknownOrMalformedInputStillPaysArgon2) {
  CredentialVerifier v(*store_);
  auto r = v.verify("ghost@acme.test", "right password");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason_for_log, "unknown login");
  EXPECT_EQ(v.argon2_calls(), 1u);
  EXPECT_FALSE(v.verify("not an address", "x").ok);
  EXPECT_EQ(v.argon2_calls(), 2u);
  EXPECT_FALSE(v.verify("app@acme.test", "").ok);
  EXPECT_EQ(v.argon2_calls(), 3u);
  EXPECT_FALSE(v.verify("app@acme.test", std::string(kMaxPasswordLength + 1, 'x')).ok);
  EXPECT_EQ(v.argon2_calls(), 4u);
}

TEST_F(VerifierTest, CacheHitSkipsArgon2) {
  CredentialVerifier v(*store_);
  ASSERT_TRUE(v.verify("app@acme.test", "right password").ok);
  auto r = v.verify("APP@acme.test", "right password");
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.from_cache);
  EXPECT_EQ(r.account, "acme");
  EXPECT_EQ(v.argon2_calls(), 1u);
  // A wrong password is never a hit, and does not evict the good entry.
  EXPECT_FALSE(v.verify("app@acme.test", "right passworD").ok);
  EXPECT_EQ(v.argon2_calls(), 2u);
  EXPECT_TRUE(v.verify("app@acme.test", "right password").from_cache);
  EXPECT_EQ(v.argon2_calls(), 2u);
}

TEST_F(VerifierTest, PasswordChangeInvalidatesCache) {
  CredentialVerifier v(*store_);
  ASSERT_TRUE(v.verify("app@acme.test", "right password").ok);
  // Changed through another connection, as `herald user passwd` would.
  auto cli = store::Store::open((dir_ / "herald.db").string());
  ASSERT_TRUE(cli.ok());
  ASSERT_TRUE(cli->set_password_hash("app@acme.test", *hash_password("new password")).ok());
  auto old = v.verify("app@acme.test", "right password");
  EXPECT_FALSE(old.ok);
  EXPECT_EQ(old.reason_for_log, "wrong password");
  EXPECT_EQ(v.argon2_calls(), 2u);
  auto fresh = v.verify("app@acme.test", "new password");
  EXPECT_TRUE(fresh.ok);
  EXPECT_FALSE(fresh.from_cache);
  EXPECT_EQ(v.argon2_calls(), 3u);
  EXPECT_TRUE(v.verify("app@acme.test", "new password").from_cache);
}

TEST_F(VerifierTest, RemovedLoginRefusedEvenIfCached) {
  CredentialVerifier v(*store_);
  ASSERT_TRUE(v.verify("app@acme.test", "right password").ok);
  EXPECT_EQ(v.cache_size(), 1u);
  ASSERT_TRUE(store_->remove_login("app@acme.test").ok());
  auto r = v.verify("app@acme.test", "right password");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason_for_log, "unknown login");
  EXPECT_EQ(v.argon2_calls(), 2u);  // the dummy verification
  EXPECT_EQ(v.cache_size(), 0u);
}

TEST_F(VerifierTest, EntriesExpire) {
  auto t = std::chrono::steady_clock::now();
  CredentialVerifier::Options opts;
  opts.clock = [&] { return t; };
  CredentialVerifier v(*store_, opts);
  ASSERT_TRUE(v.verify("app@acme.test", "right password").ok);
  t += std::chrono::minutes(4);
  EXPECT_TRUE(v.verify("app@acme.test", "right password").from_cache);
  t += std::chrono::minutes(2);
  auto r = v.verify("app@acme.test", "right password");
  EXPECT_TRUE(r.ok);
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(v.argon2_calls(), 2u);
}

TEST_F(VerifierTest, CacheIsBoundedAndEvictsOldest) {
  add("b@acme.test", "pw b");
  add("c@acme.test", "pw c");
  auto t = std::chrono::steady_clock::now();
  CredentialVerifier::Options opts;
  opts.max_cache_entries = 2;
  opts.clock = [&] { return t; };
  CredentialVerifier v(*store_, opts);
  ASSERT_TRUE(v.verify("app@acme.test", "right password").ok);
  t += std::chrono::seconds(1);
  ASSERT_TRUE(v.verify("b@acme.test", "pw b").ok);
  t += std::chrono::seconds(1);
  ASSERT_TRUE(v.verify("c@acme.test", "pw c").ok);
  EXPECT_EQ(v.cache_size(), 2u);
  EXPECT_EQ(v.argon2_calls(), 3u);
  EXPECT_TRUE(v.verify("c@acme.test", "pw c").from_cache);
  EXPECT_TRUE(v.verify("b@acme.test", "pw b").from_cache);
  EXPECT_FALSE(v.verify("app@acme.test", "right password").from_cache);  // evicted
  EXPECT_EQ(v.argon2_calls(), 4u);
  EXPECT_EQ(v.cache_size(), 2u);
}

TEST_F(VerifierTest, CacheCanBeTurnedOff) {
  CredentialVerifier::Options opts;
  opts.max_cache_entries = 0;
  CredentialVerifier v(*store_, opts);
  EXPECT_TRUE(v.verify("app@acme.test", "right password").ok);
  EXPECT_TRUE(v.verify("app@acme.test", "right password").ok);
  EXPECT_EQ(v.argon2_calls(), 2u);
  EXPECT_EQ(v.cache_size(), 0u);
}

TEST_F(VerifierTest, SafeFromSeveralThreads) {
  add("b@acme.test", "pw b");
  CredentialVerifier v(*store_);
  std::vector<std::thread> threads;
  std::atomic<int> good{0}, bad{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 5; ++k) {
        const bool even = (i + k) % 2 == 0;
        auto r = even ? v.verify("app@acme.test", "right password") : v.verify("b@acme.test", "x");
        (r.ok == even ? good : bad)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 20);
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace herald::auth
