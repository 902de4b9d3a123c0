// Tests for metrics::HeraldMetrics: every family is exposed with HELP, TYPE
// and its full label set; the text parses line by line; accessors reach the
// series they name; and, when installed, promtool accepts the scrape.
#include "herald/metrics/herald_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace herald::metrics {
namespace {

// A small reader of the 0.0.4 text format, strict where Herald's output
// should be: each sample is `name{labels} value`, families contiguous.
struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

struct Family {
  std::string type;
  bool help = false;
  std::vector<Sample> samples;
};

bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

std::optional<Sample> parse_sample(std::string_view line) {
  Sample s;
  std::size_t i = 0;
  while (i < line.size() && name_char(line[i], i == 0)) s.name += line[i++];
  if (s.name.empty() || i == line.size()) return std::nullopt;
  if (line[i] == '{') {
    ++i;
    while (true) {
      std::string key, value;
      while (i < line.size() && name_char(line[i], key.empty()) && line[i] != ':') key += line[i++];
      if (key.empty() || line.substr(i, 2) != "=\"") return std::nullopt;
      i += 2;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\') {
          if (++i == line.size()) return std::nullopt;
          const char e = line[i];
          if (e != '\\' && e != '"' && e != 'n') return std::nullopt;
          value += e == 'n' ? '\n' : e;
        } else {
          value += line[i];
        }
        ++i;
      }
      if (i++ == line.size()) return std::nullopt;
      s.labels.emplace_back(key, value);
      if (i < line.size() && line[i] == ',') {
        ++i;
        continue;
      }
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      return std::nullopt;
    }
  }
  if (i == line.size() || line[i] != ' ') return std::nullopt;
  const std::string value(line.substr(i + 1));
  if (value == "+Inf" || value == "-Inf" || value == "NaN") {
    s.value = value == "+Inf" ? INFINITY : value == "-Inf" ? -INFINITY : NAN;
    return s;
  }
  char* end = nullptr;
  s.value = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0') return std::nullopt;
  return s;
}

std::map<std::string, Family> parse_exposition(const std::string& text) {
  std::map<std::string, Family> families;
  std::string current;
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("# HELP ")) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_FALSE(families.contains(name)) << "family repeated or not contiguous: " << name;
      EXPECT_TRUE(current.empty() || current < name) << "families not sorted: " << name;
      current = name;
      families[name].help = true;
    } else if (line.starts_with("# TYPE ")) {
      const std::size_t space = line.find(' ', 7);
      EXPECT_EQ(line.substr(7, space - 7), current) << "TYPE without its HELP: " << line;
      EXPECT_TRUE(families[current].type.empty()) << "second TYPE: " << line;
      families[current].type = line.substr(space + 1);
    } else {
      auto sample = parse_sample(line);
      if (!sample) {
        ADD_FAILURE() << "not `name{labels} value`: " << line;
        continue;
      }
      const Family& f = families[current];
      const bool own = sample->name == current ||
                       (f.type == "histogram" &&
                        (sample->name == current + "_bucket" || sample->name == current + "_sum" ||
                         sample->name == current + "_count"));
      EXPECT_TRUE(own) << sample->name << " outside its family (" << current << ")";
      families[current].samples.push_back(*sample);
    }
  }
  return families;
}

// Label sets of a family's plain samples (histogram _bucket lines excluded).
std::set<Labels> label_sets(const Family& f, const std::string& name) {
  std::set<Labels> out;
  for (const Sample& s : f.samples) {
    if (s.name == name || s.name == name + "_count") out.insert(s.labels);
  }
  return out;
}

double value_of(const Family& f, const Labels& labels) {
  for (const Sample& s : f.samples) {
    if (s.labels == labels) return s.value;
  }
  ADD_FAILURE() << "no sample with those labels";
  return -1;
}

const std::vector<std::string> kListeners = {"0.0.0.0:587", "[::]:465"};

TEST(HeraldMetrics, EveryFamilyHasHelpTypeAndParses) {
  Registry r;
  HeraldMetrics m(r, kListeners);
  const auto families = parse_exposition(r.render());
  const std::map<std::string, std::string> expected = {
      {"herald_acceptance_seconds", "histogram"},
      {"herald_auth_total", "counter"},
      {"herald_build_info", "gauge"},
      {"herald_connections_active", "gauge"},
      {"herald_connections_total", "counter"},
      {"herald_delivery_attempt_seconds", "histogram"},
      {"herald_delivery_attempts_total", "counter"},
      {"herald_dkim_signatures_total", "counter"},
      {"herald_dsns_total", "counter"},
      {"herald_messages_received_total", "counter"},
      {"herald_outbound_tls_total", "counter"},
      {"herald_queue_messages", "gauge"},
      {"herald_queue_oldest_seconds", "gauge"},
      {"herald_rate_limited_total", "counter"},
      {"herald_smtp_replies_total", "counter"},
      {"herald_spool_commit_seconds", "histogram"},
      {"herald_spool_free_bytes", "gauge"},
      {"herald_submit_to_delivered_seconds", "histogram"},
      {"herald_suppressions_total", "counter"},
      {"herald_webhook_deliveries_total", "counter"},
  };
  ASSERT_EQ(families.size(), expected.size());
  for (const auto& [name, type] : expected) {
    ASSERT_TRUE(families.contains(name)) << name;
    EXPECT_TRUE(families.at(name).help) << name;
    EXPECT_EQ(families.at(name).type, type) << name;
  }
}

TEST(HeraldMetrics, LabelSetsAreCompleteAndBounded) {
  Registry r;
  HeraldMetrics m(r, kListeners);
  const auto f = parse_exposition(r.render());
  auto sets = [&](const std::string& name) { return label_sets(f.at(name), name); };

  EXPECT_EQ(sets("herald_connections_total"),
            (std::set<Labels>{{{"listener", "0.0.0.0:587"}}, {{"listener", "[::]:465"}}}));
  EXPECT_EQ(sets("herald_connections_active").size(), 2u);
  std::set<Labels> auth;
  for (const char* mech : {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
                           "XOAUTH2", "OAUTHBEARER", "other"}) {
    for (const char* res : {"ok", "failed", "locked"}) {
      auth.insert(Labels{{"mechanism", mech}, {"result", res}});
    }
  }
  EXPECT_EQ(sets("herald_auth_total"), auth);
  EXPECT_EQ(sets("herald_messages_received_total").size(), 6u);
  EXPECT_TRUE(sets("herald_smtp_replies_total").empty());  // none seen yet
  EXPECT_EQ(sets("herald_delivery_attempts_total").size(), 4u);
  EXPECT_EQ(sets("herald_dsns_total"), (std::set<Labels>{{}}));
  EXPECT_EQ(sets("herald_suppressions_total").size(), 2u);
  EXPECT_EQ(sets("herald_rate_limited_total"),
            (std::set<Labels>{{{"what", "message"}, {"who", "ip"}},
                              {{"what", "message"}, {"who", "account"}},
                              {{"what", "recipient"}, {"who", "ip"}},
                              {{"what", "recipient"}, {"who", "account"}}}));
  EXPECT_EQ(sets("herald_outbound_tls_total").size(), 6u);
  EXPECT_TRUE(
      sets("herald_outbound_tls_total").contains({{"policy", "mta-sts"}, {"result", "ok"}}));
  EXPECT_EQ(sets("herald_dkim_signatures_total"),
            (std::set<Labels>{{{"algorithm", "rsa-sha256"}}, {{"algorithm", "ed25519-sha256"}}}));
  EXPECT_EQ(sets("herald_webhook_deliveries_total").size(), 2u);
  EXPECT_EQ(sets("herald_queue_messages"),
            (std::set<Labels>{{{"state", "queued"}}, {{"state", "deferred"}}}));
  EXPECT_EQ(value_of(f.at("herald_build_info"), {{"version", "0.1.0"}}), 1.0);
  for (const char* h : {"herald_acceptance_seconds", "herald_spool_commit_seconds",
                        "herald_delivery_attempt_seconds", "herald_submit_to_delivered_seconds"}) {
    EXPECT_EQ(sets(h), (std::set<Labels>{{}})) << h;
    EXPECT_LE(f.at(h).samples.size(), 20u + 3u) << h;  // <= 20 bounds, +Inf, _sum, _count
  }
  EXPECT_EQ(m.submit_to_delivered_seconds().bounds().back(), 432000.0);  // 5 days
  EXPECT_LE(m.spool_commit_seconds().bounds().front(), 0.0001);
}

TEST(HeraldMetrics, AccessorsReachTheirSeries) {
  Registry r;
  HeraldMetrics m(r, kListeners, "1.2.3");
  m.auth(AuthMechanism::scram_sha_256_plus, AuthResult::locked).inc();
  m.connections(1).inc(2);
  m.connections_active(1).add(1);
  m.rate_limited(RateLimitWhat::recipient, RateLimitWho::account).inc();
  m.outbound_tls(TlsPolicy::dane, TlsResult::failed).inc();
  m.queue_messages(QueueState::deferred).set(12);
  m.acceptance_seconds().observe(0.003);
  const auto f = parse_exposition(r.render());
  EXPECT_EQ(value_of(f.at("herald_auth_total"),
                     {{"mechanism", "SCRAM-SHA-256-PLUS"}, {"result", "locked"}}),
            1);
  EXPECT_EQ(value_of(f.at("herald_auth_total"), {{"mechanism", "PLAIN"}, {"result", "ok"}}), 0);
  EXPECT_EQ(value_of(f.at("herald_connections_total"), {{"listener", "[::]:465"}}), 2);
  EXPECT_EQ(value_of(f.at("herald_connections_active"), {{"listener", "[::]:465"}}), 1);
  EXPECT_EQ(
      value_of(f.at("herald_rate_limited_total"), {{"what", "recipient"}, {"who", "account"}}), 1);
  EXPECT_EQ(value_of(f.at("herald_outbound_tls_total"), {{"policy", "dane"}, {"result", "failed"}}),
            1);
  EXPECT_EQ(value_of(f.at("herald_queue_messages"), {{"state", "deferred"}}), 12);
  EXPECT_EQ(value_of(f.at("herald_build_info"), {{"version", "1.2.3"}}), 1);
  EXPECT_EQ(m.acceptance_seconds().count(), 1u);
  EXPECT_EQ(m.listener_index("[::]:465"), 1u);
  EXPECT_EQ(m.listener_index("127.0.0.1:25"), std::nullopt);
  EXPECT_THROW(m.connections(2), std::out_of_range);
}

TEST(HeraldMetrics, ReplyCodesShownOnceSeenAndOutOfRangeIsOther) {
  Registry r;
  HeraldMetrics m(r, kListeners);
  m.smtp_reply(250).inc();
  m.smtp_reply(250).inc();
  m.smtp_reply(550).inc();
  m.smtp_reply(200).inc();
  m.smtp_reply(599).inc();
  m.smtp_reply(199).inc();
  m.smtp_reply(600).inc();
  m.smtp_reply(-1).inc();
  const auto f = parse_exposition(r.render());
  const Family& replies = f.at("herald_smtp_replies_total");
  std::map<std::string, double> seen;
  for (const Sample& s : replies.samples) seen[s.labels.at(0).second] = s.value;
  EXPECT_EQ(seen, (std::map<std::string, double>{
                      {"200", 1}, {"250", 2}, {"550", 1}, {"599", 1}, {"other", 3}}));
}

TEST(HeraldMetrics, MechanismNamesMapToEnums) {
  EXPECT_EQ(auth_mechanism_from_name("PLAIN"), AuthMechanism::plain);
  EXPECT_EQ(auth_mechanism_from_name("scram-sha-256-plus"), AuthMechanism::scram_sha_256_plus);
  EXPECT_EQ(auth_mechanism_from_name("OAuthBearer"), AuthMechanism::oauthbearer);
  EXPECT_EQ(auth_mechanism_from_name("GSSAPI"), AuthMechanism::other);
  EXPECT_EQ(auth_mechanism_from_name("other"), AuthMechanism::other);
  EXPECT_EQ(auth_mechanism_from_name(""), AuthMechanism::other);
}

TEST(HeraldMetrics, SecondInstanceSharesSeries) {
  Registry r;
  HeraldMetrics a(r, kListeners);
  HeraldMetrics b(r, kListeners);
  EXPECT_EQ(&a.dsns(), &b.dsns());
  EXPECT_EQ(&a.smtp_reply(421), &b.smtp_reply(421));
  EXPECT_EQ(&a.submit_to_delivered_seconds(), &b.submit_to_delivered_seconds());
}

// The exposition is checked by Prometheus' own parser and linter, not only
// by the reader above. Skipped where promtool (Debian: prometheus) is absent.
TEST(HeraldMetrics, PromtoolAcceptsTheScrape) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed";
  }
  Registry r;
  HeraldMetrics m(r, kListeners);
  m.connections(0).inc();
  m.auth(AuthMechanism::plain, AuthResult::ok).inc();
  m.messages_received(MessageResult::accepted).inc();
  m.smtp_reply(250).inc();
  m.smtp_reply(1000).inc();
  m.delivery_attempts(DeliveryResult::deferred).inc();
  m.spool_free_bytes().set(1e12);
  m.queue_oldest_seconds().set(0.5);
  m.acceptance_seconds().observe(0.004);
  m.submit_to_delivered_seconds().observe(3 * 86400.0);
  const std::string path = testing::TempDir() + "herald_metrics.prom";
  {
    std::ofstream out(path, std::ios::binary);
    out << r.render();
  }
  const std::string command = "promtool check metrics < '" + path + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace herald::metrics
