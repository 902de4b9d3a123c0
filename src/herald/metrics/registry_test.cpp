// Tests for metrics::Registry: values, the exact exposition text of a small
// registry, escaping and number spelling, validation, and exact totals when
// several threads count at once.
#include "herald/metrics/registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "herald/metrics/exposition.hpp"

namespace herald::metrics {
namespace {

TEST(Counter, StartsAtZeroAndAdds) {
  Registry r;
  Counter& c = r.counter("x_total", "help");
  EXPECT_EQ(c.value(), 0u);
  c.inc();
  c.inc(41);
  EXPECT_EQ(c.value(), 42u);
  EXPECT_EQ(alignof(Counter), 64u);
}

TEST(Gauge, SetAndAdd) {
  Registry r;
  Gauge& g = r.gauge("g", "help");
  EXPECT_EQ(g.value(), 0.0);
  g.set(2.5);
  g.add(1.0);
  g.add(-4.0);
  EXPECT_EQ(g.value(), -0.5);
}

TEST(Histogram, UpperBoundsAreInclusive) {
  Registry r;
  Histogram& h = r.histogram("h_seconds", "help", {0.1, 1.0});
  h.observe(0.1);                                       // bucket 0: le is "less or equal"
  h.observe(0.05);                                      // bucket 0
  h.observe(0.5);                                       // bucket 1
  h.observe(1.0);                                       // bucket 1
  h.observe(7.0);                                       // +Inf
  h.observe(std::numeric_limits<double>::quiet_NaN());  // dropped
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(1), 2u);
  EXPECT_EQ(h.bucket(2), 1u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_DOUBLE_EQ(h.sum(), 8.65);
  h.observe(std::chrono::milliseconds(250));
  EXPECT_EQ(h.bucket(1), 3u);
}

TEST(Registry, SameNameAndLabelsGiveSameMetric) {
  Registry r;
  Counter& a = r.counter("c_total", "help", {{"a", "1"}, {"b", "2"}});
  Counter& b = r.counter("c_total", "help", {{"b", "2"}, {"a", "1"}});
  Counter& other = r.counter("c_total", "help", {{"a", "1"}, {"b", "3"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  EXPECT_EQ(&r.gauge("g", "help"), &r.gauge("g", "help"));
  EXPECT_EQ(&r.histogram("h", "help", {1}), &r.histogram("h", "help", {1, INFINITY}));
}

TEST(Registry, ReuseWithAnotherTypeHelpOrBoundsIsAnError) {
  Registry r;
  r.counter("m_total", "help");
  EXPECT_THROW(r.gauge("m_total", "help"), std::logic_error);
  EXPECT_THROW(r.counter("m_total", "other help"), std::logic_error);
  r.histogram("h", "help", {1, 2});
  EXPECT_THROW(r.histogram("h", "help", {1, 3}), std::logic_error);
  // A histogram's sample names are taken.
  EXPECT_THROW(r.counter("h_count", "help"), std::logic_error);
  EXPECT_THROW(r.gauge("h_bucket", "help"), std::logic_error);
  r.gauge("k_sum", "help");
  EXPECT_THROW(r.histogram("k", "help", {1}), std::logic_error);
  // One series, one source.
  r.gauge("cb", "help", {{"a", "1"}});
  EXPECT_THROW(r.gauge_callback("cb", "help", {{"a", "1"}}, [] { return 1.0; }), std::logic_error);
  r.gauge_callback("cb", "help", {{"a", "2"}}, [] { return 1.0; });
  EXPECT_THROW(r.gauge("cb", "help", {{"a", "2"}}), std::logic_error);
}

TEST(Registry, RefusesNamesPrometheusWouldRefuse) {
  Registry r;
  for (const char* bad : {"", "1abc", "a-b", "a b", "é", "a.b"}) {
    EXPECT_THROW(r.counter(bad, "help"), std::invalid_argument) << bad;
  }
  EXPECT_NO_THROW(r.counter("ns:sub_x_total", "help"));
  EXPECT_NO_THROW(r.counter("_x9", "help"));
  for (const char* bad : {"", "__reserved", "1a", "a:b", "a-b"}) {
    EXPECT_THROW(r.counter("l_total", "help", {{bad, "v"}}), std::invalid_argument) << bad;
  }
  EXPECT_NO_THROW(r.counter("l_total", "help", {{"_a1", "v"}}));
  EXPECT_THROW(r.counter("l_total", "help", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("l_total", "help", {{"a", "\xff"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("e_total", ""), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "help", {1}, {{"le", "1"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "help", {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "help", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "help", {NAN}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "help", {-INFINITY, 1}), std::invalid_argument);
  EXPECT_THROW(r.gauge_callback("f", "help", {}, nullptr), std::invalid_argument);
  // Nothing half-registered by the refusals.
  EXPECT_EQ(r.render().find("# HELP h "), std::string::npos);
}

TEST(Registry, RendersGoldenText) {
  Registry r;
  r.counter("b_requests_total", "Requests.", {{"code", "200"}}).inc(3);
  r.counter("b_requests_total", "Requests.", {{"code", "500"}});
  r.gauge("a_temperature", "Temperature.").set(-1.5);
  Histogram& h = r.histogram("c_latency_seconds", "Latency.", {0.005, 0.1, 1}, {{"op", "x"}});
  h.observe(0.001);
  h.observe(0.05);
  h.observe(0.05);
  h.observe(3);
  r.gauge_callback("d_sampled", "Sampled.", {}, [] { return 0.25; });
  r.counter("e_rare_total", "Rare.", {{"k", "a"}}, Visibility::once_nonzero);
  r.counter("e_rare_total", "Rare.", {{"k", "b"}}, Visibility::once_nonzero).inc();

  EXPECT_EQ(r.render(),
            "# HELP a_temperature Temperature.\n"
            "# TYPE a_temperature gauge\n"
            "a_temperature -1.5\n"
            "# HELP b_requests_total Requests.\n"
            "# TYPE b_requests_total counter\n"
            "b_requests_total{code=\"200\"} 3\n"
            "b_requests_total{code=\"500\"} 0\n"
            "# HELP c_latency_seconds Latency.\n"
            "# TYPE c_latency_seconds histogram\n"
            "c_latency_seconds_bucket{op=\"x\",le=\"0.005\"} 1\n"
            "c_latency_seconds_bucket{op=\"x\",le=\"0.1\"} 3\n"
            "c_latency_seconds_bucket{op=\"x\",le=\"1\"} 3\n"
            "c_latency_seconds_bucket{op=\"x\",le=\"+Inf\"} 4\n"
            "c_latency_seconds_sum{op=\"x\"} 3.101\n"
            "c_latency_seconds_count{op=\"x\"} 4\n"
            "# HELP d_sampled Sampled.\n"
            "# TYPE d_sampled gauge\n"
            "d_sampled 0.25\n"
            "# HELP e_rare_total Rare.\n"
            "# TYPE e_rare_total counter\n"
            "e_rare_total{k=\"b\"} 1\n");
}

TEST(Registry, EscapesHelpAndLabelValues) {
  Registry r;
  r.counter("x_total", "a \\ b\nc \"q\"", {{"path", "C:\\dir\n\"quoted\""}}).inc();
  EXPECT_EQ(r.render(),
            "# HELP x_total a \\\\ b\\nc \"q\"\n"
            "# TYPE x_total counter\n"
            "x_total{path=\"C:\\\\dir\\n\\\"quoted\\\"\"} 1\n");
  EXPECT_EQ(escape_label_value("plain é"), "plain é");
}

TEST(Registry, LabelsRenderSortedByName) {
  Registry r;
  r.gauge("g", "help", {{"z", "1"}, {"a", "2"}}).set(1);
  EXPECT_NE(r.render().find("g{a=\"2\",z=\"1\"} 1\n"), std::string::npos);
}

TEST(Registry, CallbackSampledAtRenderAndFailureIsNaN) {
  Registry r;
  double source = 1;
  r.gauge_callback("live", "help", {}, [&] { return source; });
  r.gauge_callback("broken", "help", {}, []() -> double { throw std::runtime_error("x"); });
  EXPECT_NE(r.render().find("live 1\n"), std::string::npos);
  source = 7;
  const std::string text = r.render();
  EXPECT_NE(text.find("live 7\n"), std::string::npos);
  EXPECT_NE(text.find("broken NaN\n"), std::string::npos);
}

TEST(Exposition, NumbersParseBackInPrometheus) {
  EXPECT_EQ(format_value(1.0), "1");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(-2.5), "-2.5");
  EXPECT_EQ(format_value(1e-9), "1e-09");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(std::stod(format_value(0.1 + 0.2)), 0.1 + 0.2);  // shortest round trip
  EXPECT_EQ(format_count(18446744073709551615u), "18446744073709551615");
}

TEST(Exposition, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("ascii"));
  EXPECT_TRUE(valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xa7"));  // é € 📧
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));                             // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));                         // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));                     // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe2\x82"));                             // truncated
  EXPECT_FALSE(valid_utf8("\x80"));                                 // stray continuation
}

constexpr int kThreads = 4;
constexpr int kPerThread = 100000;

template <class F>
void run_threads(F f) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(f);
  for (auto& t : threads) t.join();
}

TEST(Concurrency, CounterTotalsAreExact) {
  Registry r;
  Counter& c = r.counter("c_total", "help");
  run_threads([&] {
    for (int i = 0; i < kPerThread; ++i) c.inc();
  });
  EXPECT_EQ(c.value(), std::uint64_t{kThreads} * kPerThread);
}

TEST(Concurrency, HistogramTotalsAreExact) {
  Registry r;
  Histogram& h = r.histogram("h_seconds", "help", {0.5, 1});
  run_threads([&] {
    for (int i = 0; i < kPerThread; ++i) h.observe(i % 2 == 0 ? 0.25 : 2.0);
  });
  const std::uint64_t n = std::uint64_t{kThreads} * kPerThread;
  EXPECT_EQ(h.count(), n);
  EXPECT_EQ(h.bucket(0), n / 2);
  EXPECT_EQ(h.bucket(1), 0u);
  EXPECT_EQ(h.bucket(2), n / 2);
  // Multiples of 0.25 below 2^53 add exactly, whatever the order.
  EXPECT_EQ(h.sum(), 0.25 * (n / 2) + 2.0 * (n / 2));
}

TEST(Concurrency, GaugeAddsAreExact) {
  Registry r;
  Gauge& g = r.gauge("g", "help");
  run_threads([&] {
    for (int i = 0; i < kPerThread; ++i) g.add(1.0);
  });
  EXPECT_EQ(g.value(), double{kThreads} * kPerThread);
}

TEST(Concurrency, RenderWhileCountingAndRegistering) {
  Registry r;
  Counter& c = r.counter("c_total", "help");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    int i = 0;
    while (!stop.load()) {
      c.inc();
      r.gauge("g", "help", {{"n", std::to_string(i++ % 50)}}).add(1);
    }
  });
  for (int i = 0; i < 200; ++i)
    EXPECT_NE(r.render().find("# TYPE c_total counter"), std::string::npos);
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace herald::metrics
