#include "herald/auth/lockout.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace herald::auth {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::system_clock::time_point t{std::chrono::seconds(1'800'000'000)};
  Lockout::Clock fn() {
    return [this] { return t; };
  }
};

Lockout::Options options(FakeClock& clock) {
  Lockout::Options o;
  o.max_failures_per_ip = 3;
  o.max_failures_per_login = 5;
  o.lockout = 15min;
  o.window = 10min;
  o.clock = clock.fn();
  return o;
}

TEST(Lockout, IpLockedAfterMaxFailuresAndReleasedAfterLockout) {
  FakeClock clock;
  Lockout l(options(clock));
  EXPECT_FALSE(l.record_failure("192.0.2.1", "a@x"));
  EXPECT_FALSE(l.record_failure("192.0.2.1", "b@x"));
  auto s = l.record_failure("192.0.2.1", "c@x");
  EXPECT_EQ(s.ip.locked, Lockout::Scope::ip);
  EXPECT_EQ(s.ip.until, clock.t + 15min);
  EXPECT_FALSE(s.login);
  EXPECT_EQ(l.check("192.0.2.1", "anyone@x").locked, Lockout::Scope::ip);
  EXPECT_FALSE(l.check("192.0.2.2", "anyone@x"));  // other IPs unaffected
  clock.t += 15min - 1s;
  EXPECT_TRUE(l.check("192.0.2.1", "a@x"));
  clock.t += 1s;
  EXPECT_FALSE(l.check("192.0.2.1", "a@x"));
}

TEST(Lockout, LoginLockedFromManyIpsEvenIfUnknown) {
  FakeClock clock;
  Lockout l(options(clock));
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(l.record_failure("198.51.100." + std::to_string(i), "Nobody@X"));
  }
  auto s = l.record_failure("198.51.100.9", "nobody@x");
  EXPECT_EQ(s.login.locked, Lockout::Scope::login);
  EXPECT_FALSE(s.ip);
  EXPECT_EQ(l.check("203.0.113.1", "NOBODY@x").locked, Lockout::Scope::login);
}

TEST(Lockout, OldFailuresExpireOutsideTheWindow) {
  FakeClock clock;
  Lockout l(options(clock));
  l.record_failure("192.0.2.1", "a@x");
  l.record_failure("192.0.2.1", "a@x");
  clock.t += 11min;
  EXPECT_FALSE(l.record_failure("192.0.2.1", "a@x"));  // counts as the first again
  EXPECT_FALSE(l.check("192.0.2.1", "a@x"));
}

TEST(Lockout, SuccessForgetsLoginFailuresButNotIpFailures) {
  FakeClock clock;
  Lockout l(options(clock));
  l.record_failure("192.0.2.1", "a@x");
  l.record_failure("192.0.2.1", "a@x");
  l.record_success("a@x");
  EXPECT_EQ(l.record_failure("192.0.2.1", "a@x").ip.locked, Lockout::Scope::ip);
}

TEST(Lockout, OneFailureCanLockBothIpAndLogin) {
  FakeClock clock;
  auto o = options(clock);
  o.max_failures_per_login = 3;
  Lockout l(o);
  l.record_failure("192.0.2.1", "a@x");
  l.record_failure("192.0.2.1", "a@x");
  auto s = l.record_failure("192.0.2.1", "a@x");
  EXPECT_EQ(s.ip.locked, Lockout::Scope::ip);
  EXPECT_EQ(s.login.locked, Lockout::Scope::login);
  EXPECT_EQ(s.login.until, clock.t + 15min);
}

TEST(Lockout, RefusalsDuringALockoutAreAuditedSparingly) {
  FakeClock clock;
  Lockout l(options(clock));
  for (int i = 0; i < 3; ++i) l.record_failure("192.0.2.1", "a@x");
  const auto locked = l.check("192.0.2.1", "a@x");
  ASSERT_EQ(locked.locked, Lockout::Scope::ip);
  std::vector<std::uint64_t> audited;
  for (int i = 0; i < 1000; ++i) {
    const auto r = l.record_refusal("192.0.2.1", "a@x", locked);
    EXPECT_EQ(r.refused, static_cast<std::uint64_t>(i + 1));
    if (r.audit) audited.push_back(r.refused);
  }
  EXPECT_EQ(audited, (std::vector<std::uint64_t>{1, 10, 100, 1000}));
  // A new lockout starts a new count.
  clock.t += 15min;
  for (int i = 0; i < 3; ++i) l.record_failure("192.0.2.1", "a@x");
  const auto again = l.record_refusal("192.0.2.1", "a@x", l.check("192.0.2.1", "a@x"));
  EXPECT_TRUE(again.audit);
  EXPECT_EQ(again.refused, 1u);
}

TEST(Lockout, LoginLockRefusalsAuditEachNewAddressBounded) {
  FakeClock clock;
  Lockout l(options(clock));
  for (int i = 0; i < 5; ++i) l.record_failure("198.51.100." + std::to_string(i), "victim@x");
  const auto locked = l.check("203.0.113.1", "victim@x");
  ASSERT_EQ(locked.locked, Lockout::Scope::login);
  int audited = 0, new_addresses = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 50; ++i) {
      const auto r = l.record_refusal("203.0.113." + std::to_string(i), "VICTIM@x", locked);
      audited += r.audit;
      new_addresses += r.new_address;
    }
  }
  EXPECT_EQ(new_addresses, static_cast<int>(Lockout::kMaxRefusedAddresses));
  // 32 new addresses, plus the 100th refusal (the 1st and 10th were new).
  EXPECT_EQ(audited, 33);
}

TEST(Lockout, MemoryStaysBounded) {
  FakeClock clock;
  auto o = options(clock);
  o.max_entries = 100;
  Lockout l(o);
  for (int i = 0; i < 1000; ++i) {
    l.record_failure("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256),
                     "u" + std::to_string(i));
    clock.t += 1s;
  }
  EXPECT_LE(l.entries(), 200u);
}

}  // namespace
}  // namespace herald::auth
