// Tests for submission::PolicyCache: answers live exactly as long as the
// store's policy version they were read under.
#include "herald/submission/policy_cache.hpp"

#include <gtest/gtest.h>

namespace herald::submission {
namespace {

store::AccountPolicy policy_with(std::string domain) {
  store::AccountPolicy p;
  p.domains.push_back(std::move(domain));
  p.limits.messages_per_hour = 5;
  return p;
}

TEST(PolicyCache, AnswersWhileTheVersionHolds) {
  PolicyCache cache;
  EXPECT_FALSE(cache.account("acme", 7).has_value());
  cache.put_account("acme", policy_with("example.com"), 7);
  auto hit = cache.account("acme", 7);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->domains, std::vector<std::string>{"example.com"});
  EXPECT_EQ(hit->limits.messages_per_hour, 5);
  EXPECT_FALSE(cache.account("other", 7).has_value());
}

TEST(PolicyCache, NoAnswerWhenTheVersionIsUnknown) {
  PolicyCache cache;
  EXPECT_FALSE(cache.account("acme", 7).has_value());
  cache.put_account("acme", policy_with("example.com"), 7);
  // The store could not say (busy): read it, whatever the cache holds.
  EXPECT_FALSE(cache.account("acme", std::nullopt).has_value());
  EXPECT_FALSE(cache.suppression("a@example.org", std::nullopt).has_value());
  EXPECT_TRUE(cache.account("acme", 7).has_value());
}

TEST(PolicyCache, AnyChangeForgetsEverything) {
  PolicyCache cache;
  EXPECT_FALSE(cache.account("acme", 7).has_value());
  cache.put_account("acme", policy_with("example.com"), 7);
  EXPECT_FALSE(cache.suppression("a@example.org", 7).has_value());
  cache.put_suppression("a@example.org", std::nullopt, 7);
  // The store moved on (the CLI added a domain, say): both kinds are gone.
  EXPECT_FALSE(cache.account("acme", 8).has_value());
  EXPECT_FALSE(cache.suppression("a@example.org", 8).has_value());
  // And do not come back if an old version is asked again.
  EXPECT_FALSE(cache.account("acme", 7).has_value());
}

TEST(PolicyCache, RefusesAnswersReadUnderAnotherVersion) {
  PolicyCache cache;
  EXPECT_FALSE(cache.account("acme", 8).has_value());  // cache now at 8
  // A worker read the store when the counter said 7: it may predate the
  // change that made 8, so it is not kept.
  cache.put_account("acme", policy_with("old.example"), 7);
  EXPECT_FALSE(cache.account("acme", 8).has_value());
  cache.put_account("acme", policy_with("new.example"), 8);
  ASSERT_TRUE(cache.account("acme", 8).has_value());
  EXPECT_EQ(cache.account("acme", 8)->domains, std::vector<std::string>{"new.example"});
}

TEST(PolicyCache, KeepsListedAndUnlistedSuppressionAnswers) {
  PolicyCache cache;
  EXPECT_FALSE(cache.suppression("x@example.org", 1).has_value());
  store::Suppression row;
  row.address = "x@example.org";
  row.reason = "550 5.1.1 no such user";
  cache.put_suppression("x@example.org", row, 1);
  cache.put_suppression("y@example.org", std::nullopt, 1);
  auto listed = cache.suppression("x@example.org", 1);
  ASSERT_TRUE(listed.has_value());
  ASSERT_TRUE(listed->has_value());
  EXPECT_EQ((*listed)->reason, "550 5.1.1 no such user");
  auto unlisted = cache.suppression("y@example.org", 1);
  ASSERT_TRUE(unlisted.has_value());
  EXPECT_FALSE(unlisted->has_value());
}

TEST(PolicyCache, StaysBounded) {
  PolicyCache cache(3);
  EXPECT_FALSE(cache.suppression("probe@example.org", 1).has_value());
  for (int i = 0; i < 10; ++i) {
    cache.put_suppression("u" + std::to_string(i) + "@example.org", std::nullopt, 1);
  }
  int kept = 0;
  for (int i = 0; i < 10; ++i) {
    kept += cache.suppression("u" + std::to_string(i) + "@example.org", 1).has_value();
  }
  EXPECT_LE(kept, 3);
  EXPECT_GE(kept, 1);
}

}  // namespace
}  // namespace herald::submission
