#include "herald/dns/static_first_resolver.hpp"

#include <gtest/gtest.h>

#include "herald/dns/mx_plan.hpp"
#include "herald/dns/resolver_factory.hpp"
#include "herald/dns/test_resolver.hpp"

namespace herald::dns {
namespace {

StaticZone zone_of(const std::vector<std::string>& lines) {
  auto zone = StaticZone::parse(lines);
  EXPECT_TRUE(zone.ok());
  return zone.ok() ? std::move(zone).value() : StaticZone{};
}

TEST(StaticFirstResolverTest, StaticNamesNeverReachTheFallback) {
  auto fallback = std::make_unique<test::ScriptedResolver>();
  test::ScriptedResolver* seen = fallback.get();
  StaticFirstResolver resolver(
      zone_of({"example.net. MX 10 mx.example.net.", "mx.example.net. A 127.0.0.1"}),
      std::move(fallback));

  Answer mx = test::run([&] { return lookup(resolver, "example.net", RecordType::MX); });
  EXPECT_EQ(mx.status, Status::ok);
  EXPECT_TRUE(mx.secure);
  Answer aaaa = test::run([&] { return lookup(resolver, "MX.example.net.", RecordType::AAAA); });
  EXPECT_EQ(aaaa.status, Status::nodata);
  EXPECT_TRUE(seen->questions.empty());

  MxResolution r = test::run([&] { return resolve_mx_targets(resolver, "example.net"); });
  ASSERT_EQ(r.outcome, PlanOutcome::ok) << r.reason;
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].addresses[0].to_string(), "127.0.0.1");
  EXPECT_TRUE(r.targets[0].secure);  // static records stand in for DNSSEC in tests
  EXPECT_TRUE(seen->questions.empty());
}

TEST(StaticFirstResolverTest, OtherNamesAndOutboundCnamesGoToTheFallback) {
  auto fallback = std::make_unique<test::ScriptedResolver>();
  test::ScriptedResolver* seen = fallback.get();
  Answer real = test::ok_answer();
  real.addresses.push_back(asio::ip::make_address("192.0.2.9"));
  seen->set("real.example", RecordType::A, real);
  StaticFirstResolver resolver(zone_of({"alias.test. CNAME real.example."}), std::move(fallback));

  Answer followed = test::run([&] { return lookup(resolver, "alias.test", RecordType::A); });
  EXPECT_EQ(followed.status, Status::ok);
  Answer other = test::run([&] { return lookup(resolver, "elsewhere.example", RecordType::A); });
  EXPECT_EQ(other.status, Status::nxdomain);
  ASSERT_EQ(seen->questions.size(), 2u);
  EXPECT_EQ(seen->questions[0].first, "real.example");
  EXPECT_EQ(seen->questions[1].first, "elsewhere.example");
}

TEST(StaticFirstResolverTest, WithoutFallbackOtherNamesFailTemporarily) {
  StaticFirstResolver resolver(zone_of({"a.test. A 10.0.0.1"}), nullptr);
  Answer other = test::run([&] { return lookup(resolver, "b.test", RecordType::A); });
  EXPECT_EQ(other.status, Status::temporary_failure);
}

TEST(StaticFirstResolverTest, LookupAllKeepsQueryOrder) {
  StaticFirstResolver resolver(zone_of({"a.test. A 10.0.0.1", "b.test. A 10.0.0.2"}), nullptr);
  std::vector<Answer> answers = test::run([&] {
    return lookup_all(
        resolver,
        {{"b.test", RecordType::A}, {"a.test", RecordType::A}, {"c.test", RecordType::A}});
  });
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].addresses[0].to_string(), "10.0.0.2");
  EXPECT_EQ(answers[1].addresses[0].to_string(), "10.0.0.1");
  EXPECT_EQ(answers[2].status, Status::temporary_failure);
  EXPECT_TRUE(test::run([&] { return lookup_all(resolver, {}); }).empty());
}

TEST(ResolverFactoryTest, BadStaticRecordIsAnError) {
  ResolverSettings settings;
  settings.resolver = "127.0.0.1";
  settings.host = "127.0.0.1";
  settings.static_records = {"a.test. A 10.0.0.1", "broken"};
  auto resolver = make_resolver(settings);
  ASSERT_FALSE(resolver.ok());
  EXPECT_NE(resolver.error().message.find("entry 2"), std::string::npos);
}

TEST(ResolverFactoryTest, BuildsStaticFirstResolver) {
  ResolverSettings settings;
  settings.resolver = "127.0.0.1:1";  // never contacted: the name is static
  settings.host = "127.0.0.1";
  settings.port = 1;
  settings.static_records = {"mx.example.net. A 127.0.0.1"};
  auto resolver = make_resolver(settings);
  ASSERT_TRUE(resolver.ok()) << resolver.error().message;
  Answer a = test::run([&] { return lookup(**resolver, "mx.example.net", RecordType::A); });
  EXPECT_EQ(a.status, Status::ok);
}

}  // namespace
}  // namespace herald::dns
