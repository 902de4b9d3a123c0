// Tests for delivery::MtaStsCache and resolve_sts_policy: RFC 8461 §5 with
// a fake clock and a fake fetcher, then the coroutine over a scripted
// resolver and a real worker pool.
#include "herald/delivery/mta_sts_cache.hpp"

#include <gtest/gtest.h>

#include <asio/thread_pool.hpp>
#include <atomic>
#include <thread>

#include "herald/dns/test_resolver.hpp"

namespace herald::delivery {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

dns::Answer txt(std::vector<std::string> records) {
  dns::Answer a = dns::test::ok_answer();
  a.txt = std::move(records);
  return a;
}

StsPolicy policy(StsMode mode, std::chrono::seconds max_age = 86400s) {
  StsPolicy p;
  p.mode = mode;
  p.mx = {"mx.example.net"};
  p.max_age = max_age;
  return p;
}

// A clock the test moves, and a fetcher that returns what the test says and
// counts its calls.
struct Fixture {
  Clock::time_point now = Clock::time_point{} + 1'000'000h;
  std::vector<StsFetchResult> answers;  // returned in order; the last one repeats
  std::vector<std::string> fetched_domains;
  std::vector<StsFetchOptions> fetched_options;
  std::mutex mutex;

  MtaStsCache make(std::size_t max_entries = 100) {
    MtaStsCacheOptions o;
    o.clock = [this] { return now; };
    o.fetcher = [this](const std::string& domain, const StsFetchOptions& options) {
      std::lock_guard lock(mutex);
      fetched_domains.push_back(domain);
      fetched_options.push_back(options);
      StsFetchResult r = answers.empty() ? StsFetchResult{} : answers.front();
      if (answers.size() > 1) answers.erase(answers.begin());
      return r;
    };
    o.max_entries = max_entries;
    return MtaStsCache(std::move(o));
  }
};

StsFetchResult ok(StsPolicy p) {
  StsFetchResult r;
  r.policy = std::move(p);
  return r;
}

StsFetchResult fail(StsFetchError e, std::string why = "down") {
  StsFetchResult r;
  r.error = e;
  r.reason = std::move(why);
  return r;
}

TEST(MtaStsCache, FetchesThenUsesCacheWhileIdIsUnchanged) {
  Fixture f;
  f.answers = {ok(policy(StsMode::enforce))};
  auto cache = f.make();
  auto first = cache.resolve_blocking("Example.NET.", txt({"v=STSv1; id=A"}), {});
  ASSERT_TRUE(first.policy.has_value());
  EXPECT_EQ(first.source, StsSource::fetched);
  EXPECT_EQ(first.id, "A");
  EXPECT_EQ(f.fetched_domains, (std::vector<std::string>{"example.net"}));
  f.now += 1h;
  auto second = cache.resolve_blocking("example.net", txt({"v=STSv1; id=A"}), {});
  EXPECT_EQ(second.source, StsSource::cache);
  EXPECT_EQ(f.fetched_domains.size(), 1u);
}

TEST(MtaStsCache, NoRecordAndNoCacheMeansNoPolicy) {
  Fixture f;
  auto cache = f.make();
  auto r = cache.resolve_blocking("example.net", dns::make_failure(dns::Status::nxdomain, ""), {});
  EXPECT_FALSE(r.policy.has_value());
  EXPECT_EQ(r.source, StsSource::none);
  EXPECT_EQ(r.fetch_error, StsFetchError::none);
  EXPECT_TRUE(f.fetched_domains.empty());
  // Two v=STSv1 records: no policy either (RFC 8461 §3.1).
  auto two = cache.resolve_blocking("example.net", txt({"v=STSv1; id=A", "v=STSv1; id=B"}), {});
  EXPECT_FALSE(two.policy.has_value());
  EXPECT_NE(two.reason.find("exactly one"), std::string::npos);
}

TEST(MtaStsCache, TxtGoneOrFailingKeepsCachedPolicyUntilExpiry) {
  Fixture f;
  f.answers = {ok(policy(StsMode::enforce, 86400s))};
  auto cache = f.make();
  ASSERT_TRUE(cache.resolve_blocking("example.net", txt({"v=STSv1; id=A"}), {}).policy);
  f.now += 12h;
  // An attacker strips the TXT record or makes DNS fail: still enforced.
  for (const auto& answer : {dns::make_failure(dns::Status::nxdomain, ""),
                             dns::make_failure(dns::Status::temporary_failure, "timeout"),
                             dns::make_failure(dns::Status::bogus, "bad sig"),
                             txt({"v=STSv1; id=A", "v=STSv1; id=B"})}) {
    auto r = cache.resolve_blocking("example.net", answer, {});
    ASSERT_TRUE(r.policy.has_value());
    EXPECT_EQ(r.policy->mode, StsMode::enforce);
    EXPECT_EQ(r.source, StsSource::cache);
  }
  f.now += 13h;  // past max_age
  auto expired =
      cache.resolve_blocking("example.net", dns::make_failure(dns::Status::nxdomain, ""), {});
  EXPECT_FALSE(expired.policy.has_value());
  EXPECT_EQ(f.fetched_domains.size(), 1u);
}

TEST(MtaStsCache, NewIdRefetchesAndFailedRefetchKeepsCached) {
  Fixture f;
  f.answers = {ok(policy(StsMode::enforce, 86400s)),
               fail(StsFetchError::webpki_invalid, "bad cert"),
               ok(policy(StsMode::testing, 86400s))};
  auto cache = f.make();
  ASSERT_TRUE(cache.resolve_blocking("example.net", txt({"v=STSv1; id=A"}), {}).policy);
  f.now += 1h;
  auto failed = cache.resolve_blocking("example.net", txt({"v=STSv1; id=B"}), {});
  ASSERT_TRUE(failed.policy.has_value());
  EXPECT_EQ(failed.policy->mode, StsMode::enforce);
  EXPECT_EQ(failed.id, "A");
  EXPECT_EQ(failed.source, StsSource::cache);
  EXPECT_EQ(failed.fetch_error, StsFetchError::webpki_invalid);  // for TLS-RPT
  EXPECT_EQ(failed.reason, "bad cert");
  f.now += 1h;
  auto replaced = cache.resolve_blocking("example.net", txt({"v=STSv1; id=B"}), {});
  ASSERT_TRUE(replaced.policy.has_value());
  EXPECT_EQ(replaced.policy->mode, StsMode::testing);
  EXPECT_EQ(replaced.source, StsSource::fetched);
  EXPECT_EQ(cache.find("example.net")->id, "B");
  EXPECT_EQ(f.fetched_domains.size(), 3u);
}

TEST(MtaStsCache, FailedFirstFetchMeansNoPolicyButReportsTheError) {
  Fixture f;
  f.answers = {fail(StsFetchError::policy_invalid, "no mode")};
  auto cache = f.make();
  auto r = cache.resolve_blocking("example.net", txt({"v=STSv1; id=A"}), {});
  EXPECT_FALSE(r.policy.has_value());
  EXPECT_EQ(r.fetch_error, StsFetchError::policy_invalid);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(MtaStsCache, SameIdIsRefreshedAfterADay) {
  Fixture f;
  f.answers = {ok(policy(StsMode::enforce, 7 * 86400s)), fail(StsFetchError::fetch_error)};
  auto cache = f.make();
  ASSERT_TRUE(cache.resolve_blocking("example.net", txt({"v=STSv1; id=A"}), {}).policy);
  f.now += 25h;
  auto r = cache.resolve_blocking("example.net", txt({"v=STSv1; id=A"}), {});
  EXPECT_EQ(f.fetched_domains.size(), 2u);
  ASSERT_TRUE(r.policy.has_value());  // the refresh failed: the cached one stays
  EXPECT_EQ(r.source, StsSource::cache);
}

TEST(MtaStsCache, ModeNoneReplacesAnEnforcePolicy) {
  Fixture f;
  f.answers = {ok(policy(StsMode::enforce)), ok(policy(StsMode::none))};
  auto cache = f.make();
  ASSERT_TRUE(cache.resolve_blocking("example.net", txt({"v=STSv1; id=A"}), {}).policy);
  auto r = cache.resolve_blocking("example.net", txt({"v=STSv1; id=B"}), {});
  ASSERT_TRUE(r.policy.has_value());
  EXPECT_EQ(r.policy->mode, StsMode::none);
}

TEST(MtaStsCache, BoundedSize) {
  Fixture f;
  auto cache = f.make(/*max_entries=*/2);
  cache.store("a.example", "1", policy(StsMode::enforce, 300s));
  cache.store("b.example", "1", policy(StsMode::enforce, 100s));
  cache.store("c.example", "1", policy(StsMode::enforce, 200s));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.find("b.example").has_value());  // the soonest to expire went
  EXPECT_TRUE(cache.find("a.example").has_value());
}

TEST(ResolveStsPolicy, LooksUpTxtAndAddressesAndFetchesOnWorkers) {
  Fixture f;
  f.answers = {ok(policy(StsMode::enforce))};
  auto cache = f.make();
  dns::test::ScriptedResolver resolver;
  resolver.set("_mta-sts.example.net", dns::RecordType::TXT, txt({"v=STSv1; id=A"}));
  auto a = dns::test::ok_answer(true);
  a.addresses = {asio::ip::make_address("127.0.0.1")};
  resolver.set("mta-sts.example.net", dns::RecordType::A, a);
  auto aaaa = dns::test::ok_answer(true);
  aaaa.addresses = {asio::ip::make_address("::1")};
  resolver.set("mta-sts.example.net", dns::RecordType::AAAA, aaaa);
  asio::thread_pool workers(1);
  StsFetchOptions options;
  options.https_port = 8443;
  const std::string domain = "Example.NET";
  auto r =
      dns::test::run([&] { return resolve_sts_policy(resolver, workers, cache, domain, options); });
  ASSERT_TRUE(r.policy.has_value());
  EXPECT_EQ(r.source, StsSource::fetched);
  ASSERT_EQ(f.fetched_options.size(), 1u);
  EXPECT_EQ(f.fetched_options[0].https_port, 8443);
  ASSERT_EQ(f.fetched_options[0].addresses.size(), 2u);
  EXPECT_EQ(f.fetched_options[0].addresses[0].to_string(), "127.0.0.1");
  EXPECT_EQ(f.fetched_options[0].addresses[1].to_string(), "::1");

  // Cached now: only the TXT lookup, no address lookup, no fetch.
  resolver.questions.clear();
  auto again =
      dns::test::run([&] { return resolve_sts_policy(resolver, workers, cache, domain, options); });
  EXPECT_EQ(again.source, StsSource::cache);
  EXPECT_EQ(resolver.questions.size(), 1u);
  EXPECT_EQ(f.fetched_domains.size(), 1u);
  workers.join();
}

TEST(ResolveStsPolicy, PolicyHostWithoutAddressIsAFetchError) {
  Fixture f;
  auto cache = f.make();
  dns::test::ScriptedResolver resolver;
  resolver.set("_mta-sts.example.net", dns::RecordType::TXT, txt({"v=STSv1; id=A"}));
  asio::thread_pool workers(1);
  const StsFetchOptions options;
  auto r = dns::test::run(
      [&] { return resolve_sts_policy(resolver, workers, cache, "example.net", options); });
  EXPECT_FALSE(r.policy.has_value());
  EXPECT_EQ(r.fetch_error, StsFetchError::fetch_error);
  EXPECT_NE(r.reason.find("mta-sts.example.net has no address"), std::string::npos);
  EXPECT_TRUE(f.fetched_domains.empty());
  workers.join();
}

TEST(ResolveStsPolicy, NoTxtRecordIsNoPolicy) {
  Fixture f;
  auto cache = f.make();
  dns::test::ScriptedResolver resolver;  // everything nxdomain
  asio::thread_pool workers(1);
  const StsFetchOptions options;
  auto r = dns::test::run(
      [&] { return resolve_sts_policy(resolver, workers, cache, "example.org", options); });
  EXPECT_FALSE(r.policy.has_value());
  EXPECT_EQ(r.fetch_error, StsFetchError::none);
  EXPECT_EQ(resolver.questions.size(), 1u);
  workers.join();
}

}  // namespace
}  // namespace herald::delivery
