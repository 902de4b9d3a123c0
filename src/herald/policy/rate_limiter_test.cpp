#include "herald/policy/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace herald::policy {
namespace {

const RateLimit kThreePerMinute{3, std::chrono::seconds{60}};

TEST(RateLimiter, UnlimitedAlwaysAllows) {
  RateLimiter r;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(r.take("k", 1, {}, 100).allowed);
}

TEST(RateLimiter, RefusesOverTheLimitAndSaysWhen) {
  RateLimiter r;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r.take("a", 1, kThreePerMinute, 600).allowed);
  auto d = r.take("a", 1, kThreePerMinute, 610);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_at, 660);                                 // the next window
  EXPECT_TRUE(r.take("b", 1, kThreePerMinute, 610).allowed);  // keys are separate
}

TEST(RateLimiter, SlidingWindowWeighsThePreviousOne) {
  RateLimiter r;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r.take("a", 1, kThreePerMinute, 659).allowed);
  // Right after the window turns, the full previous window still counts.
  EXPECT_FALSE(r.take("a", 1, kThreePerMinute, 661).allowed);
  // Two thirds into the new window only a third of the old one counts.
  EXPECT_TRUE(r.take("a", 1, kThreePerMinute, 700).allowed);
  // Two windows later nothing is left.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r.take("a", 1, kThreePerMinute, 900).allowed);
}

TEST(RateLimiter, BatchesAreAllOrNothing) {
  RateLimiter r;
  EXPECT_TRUE(r.take("a", 2, kThreePerMinute, 600).allowed);
  EXPECT_FALSE(r.take("a", 2, kThreePerMinute, 601).allowed);
  EXPECT_TRUE(r.take("a", 1, kThreePerMinute, 602).allowed);
}

TEST(RateLimiter, GiveBackUndoesATake) {
  RateLimiter r;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r.take("a", 1, kThreePerMinute, 600).allowed);
  r.give_back("a", 1);
  EXPECT_TRUE(r.take("a", 1, kThreePerMinute, 601).allowed);
  EXPECT_FALSE(r.take("a", 1, kThreePerMinute, 602).allowed);
}

TEST(RateLimiter, MemoryIsBounded) {
  RateLimiter r(10);
  for (int i = 0; i < 1000; ++i) r.take("k" + std::to_string(i), 1, kThreePerMinute, 600);
  EXPECT_TRUE(r.take("new", 1, kThreePerMinute, 600).allowed);
}

}  // namespace
}  // namespace herald::policy
