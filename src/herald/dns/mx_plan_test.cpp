#include "herald/dns/mx_plan.hpp"

#include <gtest/gtest.h>

#include <set>

#include "herald/dns/test_resolver.hpp"

namespace herald::dns {
namespace {

using test::ok_answer;

Answer mx_answer(std::vector<Mx> records, bool secure = false) {
  Answer a = ok_answer(secure);
  a.mx = std::move(records);
  return a;
}

std::vector<std::string> names(const MxPlan& plan) {
  std::vector<std::string> out;
  for (const auto& h : plan.hosts) out.push_back(h.name);
  return out;
}

TEST(MxPlanTest, SortsByPreference) {
  std::mt19937_64 rng(1);
  MxPlan plan = plan_mx(
      "example.net",
      mx_answer({{30, "c.example.net"}, {10, "a.example.net"}, {20, "b.example.net"}}, true), rng);
  ASSERT_EQ(plan.outcome, PlanOutcome::ok);
  EXPECT_EQ(names(plan),
            (std::vector<std::string>{"a.example.net", "b.example.net", "c.example.net"}));
  EXPECT_TRUE(plan.secure);
  EXPECT_FALSE(plan.implicit);
}

TEST(MxPlanTest, ShufflesOnlyAmongEqualPreferences) {
  const Answer answer =
      mx_answer({{10, "a1"}, {10, "a2"}, {10, "a3"}, {10, "a4"}, {5, "first"}, {20, "last"}});
  std::set<std::vector<std::string>> orders;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    std::mt19937_64 rng(seed);
    auto order = names(plan_mx("d.test", answer, rng));
    ASSERT_EQ(order.size(), 6u);
    EXPECT_EQ(order.front(), "first");
    EXPECT_EQ(order.back(), "last");
    orders.insert(order);
  }
  EXPECT_GT(orders.size(), 1u);  // the equal group really is shuffled

  // And a fixed seed gives a fixed order, so tests elsewhere can rely on it.
  std::mt19937_64 one(7), two(7);
  EXPECT_EQ(names(plan_mx("d.test", answer, one)), names(plan_mx("d.test", answer, two)));
}

TEST(MxPlanTest, DropsDuplicateHostsKeepingTheBestPreference) {
  std::mt19937_64 rng(1);
  MxPlan plan = plan_mx("d.test", mx_answer({{20, "mx"}, {10, "mx"}, {15, "other"}}), rng);
  ASSERT_EQ(plan.hosts.size(), 2u);
  EXPECT_EQ(plan.hosts[0].name, "mx");
  EXPECT_EQ(plan.hosts[0].preference, 10);
}

TEST(MxPlanTest, NullMxIsPermanent) {
  std::mt19937_64 rng(1);
  MxPlan plan = plan_mx("example.org", mx_answer({{0, "."}}), rng);
  EXPECT_EQ(plan.outcome, PlanOutcome::permanent_failure);
  EXPECT_NE(plan.reason.find("accepts no mail"), std::string::npos);
  // Mixed with real MX records, the null one is ignored.
  MxPlan mixed = plan_mx("example.org", mx_answer({{0, "."}, {10, "mx.example.org"}}), rng);
  ASSERT_EQ(mixed.outcome, PlanOutcome::ok);
  EXPECT_EQ(names(mixed), std::vector<std::string>{"mx.example.org"});
}

TEST(MxPlanTest, NodataMeansImplicitMx) {
  std::mt19937_64 rng(1);
  Answer nodata = make_failure(Status::nodata, "no MX");
  nodata.secure = true;
  MxPlan plan = plan_mx("Example.NET.", nodata, rng);
  ASSERT_EQ(plan.outcome, PlanOutcome::ok);
  EXPECT_TRUE(plan.implicit);
  EXPECT_TRUE(plan.secure);
  EXPECT_EQ(names(plan), std::vector<std::string>{"example.net"});
}

TEST(MxPlanTest, FailuresMapToPermanentOrTemporary) {
  std::mt19937_64 rng(1);
  EXPECT_EQ(plan_mx("x.test", make_failure(Status::nxdomain, ""), rng).outcome,
            PlanOutcome::permanent_failure);
  EXPECT_EQ(plan_mx("x.test", make_failure(Status::temporary_failure, "timeout"), rng).outcome,
            PlanOutcome::temporary_failure);
  MxPlan bogus = plan_mx("x.test", make_failure(Status::bogus, "bad signature"), rng);
  EXPECT_EQ(bogus.outcome, PlanOutcome::temporary_failure);
  EXPECT_EQ(bogus.reason, "bad signature");
}

Answer address(const char* text, bool secure = false) {
  Answer a = ok_answer(secure);
  a.addresses.push_back(asio::ip::make_address(text));
  return a;
}

TEST(ResolveMxTargetsTest, ResolvesEveryHost) {
  test::ScriptedResolver resolver;
  resolver.set("example.net", RecordType::MX,
               mx_answer({{10, "mx1.example.net"}, {20, "mx2.example.net"}}, true));
  resolver.set("mx1.example.net", RecordType::A, address("192.0.2.1", true));
  resolver.set("mx1.example.net", RecordType::AAAA, address("2001:db8::1", true));
  resolver.set("mx2.example.net", RecordType::A, address("192.0.2.2"));
  resolver.set("mx2.example.net", RecordType::AAAA, make_failure(Status::nodata, ""));

  MxResolution r = test::run([&] { return resolve_mx_targets(resolver, "Example.net"); });
  ASSERT_EQ(r.outcome, PlanOutcome::ok) << r.reason;
  EXPECT_TRUE(r.mx_secure);
  ASSERT_EQ(r.targets.size(), 2u);
  EXPECT_EQ(r.targets[0].host, "mx1.example.net");
  ASSERT_EQ(r.targets[0].addresses.size(), 2u);
  EXPECT_EQ(r.targets[0].addresses[0].to_string(), "192.0.2.1");
  EXPECT_EQ(r.targets[0].addresses[1].to_string(), "2001:db8::1");
  EXPECT_TRUE(r.targets[0].secure);
  EXPECT_EQ(r.targets[1].addresses.size(), 1u);
  EXPECT_FALSE(r.targets[1].secure);
}

TEST(ResolveMxTargetsTest, ImplicitMxWithoutAddressIsPermanent) {
  test::ScriptedResolver resolver;
  resolver.set("bare.test", RecordType::MX, make_failure(Status::nodata, ""));
  resolver.set("bare.test", RecordType::A, make_failure(Status::nodata, ""));
  resolver.set("bare.test", RecordType::AAAA, make_failure(Status::nodata, ""));
  MxResolution r = test::run([&] { return resolve_mx_targets(resolver, "bare.test"); });
  EXPECT_EQ(r.outcome, PlanOutcome::permanent_failure);
  EXPECT_TRUE(r.implicit);
  EXPECT_NE(r.reason.find("no MX and no address"), std::string::npos) << r.reason;
}

TEST(ResolveMxTargetsTest, TemporaryAddressFailureIsTemporary) {
  test::ScriptedResolver resolver;
  resolver.set("t.test", RecordType::MX, mx_answer({{10, "mx.t.test"}}));
  resolver.set("mx.t.test", RecordType::A, make_failure(Status::temporary_failure, "timed out"));
  resolver.set("mx.t.test", RecordType::AAAA, make_failure(Status::nodata, ""));
  MxResolution r = test::run([&] { return resolve_mx_targets(resolver, "t.test"); });
  EXPECT_EQ(r.outcome, PlanOutcome::temporary_failure);
  EXPECT_NE(r.reason.find("timed out"), std::string::npos) << r.reason;
}

TEST(ResolveMxTargetsTest, NxdomainAndNullMxStopBeforeAddressLookups) {
  test::ScriptedResolver resolver;
  resolver.set("null.test", RecordType::MX, mx_answer({{0, "."}}));
  MxResolution null_mx = test::run([&] { return resolve_mx_targets(resolver, "null.test"); });
  EXPECT_EQ(null_mx.outcome, PlanOutcome::permanent_failure);
  MxResolution missing = test::run([&] { return resolve_mx_targets(resolver, "gone.test"); });
  EXPECT_EQ(missing.outcome, PlanOutcome::permanent_failure);
  EXPECT_EQ(resolver.questions.size(), 2u);
}

TEST(ResolveMxTargetsTest, LimitsTheNumberOfHosts) {
  test::ScriptedResolver resolver;
  std::vector<Mx> many;
  for (int i = 0; i < 30; ++i)
    many.push_back({static_cast<std::uint16_t>(i), "h" + std::to_string(i)});
  resolver.set("many.test", RecordType::MX, mx_answer(many));
  MxResolution r = test::run([&] { return resolve_mx_targets(resolver, "many.test", 3); });
  EXPECT_EQ(r.targets.size(), 3u);
  EXPECT_EQ(resolver.questions.size(), 1u + 3 * 2);
}

}  // namespace
}  // namespace herald::dns
