#include "herald/delivery/retry_policy.hpp"

#include <gtest/gtest.h>

namespace herald::delivery {
namespace {

using std::chrono::seconds;

TEST(RetryPolicy, FollowsTheScheduleWithJitter) {
  RetryPolicy p{{seconds{60}, seconds{600}}, seconds{3600}, 0.1};
  EXPECT_EQ(next_attempt(p, 1, 1000, 0.5), 1060);
  EXPECT_EQ(next_attempt(p, 2, 1000, 0.5), 1600);
  EXPECT_EQ(next_attempt(p, 9, 1000, 0.5), 1600);  // the last entry repeats
  EXPECT_EQ(next_attempt(p, 1, 1000, 0.0), 1054);  // -10%
  EXPECT_EQ(next_attempt(p, 1, 1000, 1.0), 1066);  // +10%
  RetryPolicy none{{}, seconds{3600}, 0};
  EXPECT_EQ(next_attempt(none, 1, 0, 0.5), 300);
}

TEST(RetryPolicy, Expiry) {
  RetryPolicy p{{seconds{60}}, seconds{3600}, 0};
  EXPECT_FALSE(expired(p, 1000, 4599));
  EXPECT_TRUE(expired(p, 1000, 4600));
}

smtp::Outcome outcome(int code, std::string enhanced, smtp::Stage stage, bool permanent = true) {
  smtp::Outcome o;
  o.reply = {code, std::move(enhanced), "x"};
  o.stage = stage;
  o.permanent = permanent;
  o.remote = true;
  return o;
}

TEST(RetryPolicy, HardBounces) {
  EXPECT_TRUE(is_hard_bounce(outcome(550, "5.1.1", smtp::Stage::rcpt)));
  EXPECT_TRUE(is_hard_bounce(outcome(550, "5.1.10", smtp::Stage::local)));
  EXPECT_TRUE(is_hard_bounce(outcome(550, "", smtp::Stage::rcpt)));
  EXPECT_FALSE(is_hard_bounce(outcome(550, "5.7.1", smtp::Stage::rcpt)));
  EXPECT_FALSE(is_hard_bounce(outcome(552, "5.2.2", smtp::Stage::rcpt)));
  EXPECT_FALSE(is_hard_bounce(outcome(550, "", smtp::Stage::message)));
  EXPECT_FALSE(is_hard_bounce(outcome(450, "4.1.1", smtp::Stage::rcpt, false)));
  EXPECT_FALSE(is_hard_bounce(outcome(550, "5.10.1", smtp::Stage::rcpt)));
}

}  // namespace
}  // namespace herald::delivery
