#include "herald/net/connection_limiter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace herald::net {

TEST(ConnectionLimiter, LimitsPerIpAndReleasesOnDestruction) {
  ConnectionLimiter limiter(10, 2);
  ConnectionLimiter::Refusal why;
  auto a = limiter.acquire("192.0.2.1", why);
  auto b = limiter.acquire("192.0.2.1", why);
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  auto c = limiter.acquire("192.0.2.1", why);
  EXPECT_FALSE(c);
  EXPECT_EQ(why, ConnectionLimiter::Refusal::per_ip);
  EXPECT_TRUE(limiter.acquire("192.0.2.2", why));  // other IP; released at once
  { auto moved = std::move(a); }
  EXPECT_TRUE(limiter.acquire("192.0.2.1", why));
  EXPECT_EQ(limiter.active(), 1u);
}

TEST(ConnectionLimiter, LimitsTotal) {
  ConnectionLimiter limiter(3, 3);
  ConnectionLimiter::Refusal why;
  std::vector<ConnectionLimiter::Slot> slots;
  for (int i = 0; i < 3; ++i)
    slots.push_back(limiter.acquire("198.51.100." + std::to_string(i), why));
  EXPECT_FALSE(limiter.acquire("203.0.113.9", why));
  EXPECT_EQ(why, ConnectionLimiter::Refusal::total);
}

TEST(ConnectionLimiter, StressStartsAt80PercentAndEndsBelow70) {
  ConnectionLimiter limiter(10, 10);
  std::vector<std::pair<bool, std::size_t>> changes;
  limiter.on_stress_change([&](bool on, std::size_t active) { changes.emplace_back(on, active); });
  ConnectionLimiter::Refusal why;
  std::vector<ConnectionLimiter::Slot> slots;
  for (int i = 0; i < 7; ++i) slots.push_back(limiter.acquire("192.0.2.1", why));
  EXPECT_FALSE(limiter.stressed());
  slots.push_back(limiter.acquire("192.0.2.1", why));  // 8 of 10
  EXPECT_TRUE(limiter.stressed());
  slots.pop_back();  // 7: still stressed (leaves below 7)
  EXPECT_TRUE(limiter.stressed());
  slots.pop_back();  // 6
  EXPECT_FALSE(limiter.stressed());
  EXPECT_EQ(changes, (std::vector<std::pair<bool, std::size_t>>{{true, 8}, {false, 6}}));
}

TEST(ConnectionLimiter, TinyLimitsStillLeaveStress) {
  ConnectionLimiter limiter(1, 1);
  ConnectionLimiter::Refusal why;
  {
    auto slot = limiter.acquire("192.0.2.1", why);
    EXPECT_TRUE(limiter.stressed());
  }
  EXPECT_FALSE(limiter.stressed());
}

}  // namespace herald::net
