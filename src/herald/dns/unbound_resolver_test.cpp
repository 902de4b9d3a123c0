// UnboundResolver end to end against a tiny DNS server on 127.0.0.1 (a
// random port): real libunbound, real UDP, no Internet.
#include "herald/dns/unbound_resolver.hpp"

#include <gtest/gtest.h>

#include <asio/ip/udp.hpp>
#include <atomic>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "herald/dns/test_resolver.hpp"

namespace herald::dns {
namespace {

using Wire = std::vector<std::uint8_t>;

void put16(Wire& w, unsigned v) {
  w.push_back(static_cast<std::uint8_t>(v >> 8));
  w.push_back(static_cast<std::uint8_t>(v));
}

Wire name_wire(std::string_view name) {
  Wire w;
  while (!name.empty()) {
    auto dot = name.find('.');
    auto label = name.substr(0, dot);
    w.push_back(static_cast<std::uint8_t>(label.size()));
    w.insert(w.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  w.push_back(0);
  return w;
}

struct Canned {
  int rcode = 0;
  std::vector<Wire> rdata;
};

// Answers questions from a table (name lowercase without dot, type) and
// NXDOMAIN otherwise; `silent` drops every query instead.
class FakeDnsServer {
 public:
  explicit FakeDnsServer(bool silent = false)
      : socket_(io_, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        silent_(silent) {}
  ~FakeDnsServer() { stop(); }

  void add(const std::string& name, RecordType type, Canned canned) {
    table_[{name, static_cast<unsigned>(type)}] = std::move(canned);
  }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }
  int queries() const { return queries_; }

  void start() {
    receive();
    thread_ = std::thread([this] { io_.run(); });
  }
  void stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), peer_, [this](asio::error_code ec, std::size_t n) {
          if (ec) return;
          ++queries_;
          if (!silent_) {
            Wire reply = answer(Wire(buffer_.begin(), buffer_.begin() + static_cast<long>(n)));
            if (!reply.empty()) socket_.send_to(asio::buffer(reply), peer_, 0, ec);
          }
          receive();
        });
  }

  Wire answer(const Wire& query) {
    if (query.size() < 12) return {};
    std::size_t at = 12;
    std::string name;
    while (at < query.size() && query[at] != 0) {
      const std::size_t len = query[at++];
      if (at + len > query.size()) return {};
      if (!name.empty()) name += '.';
      for (std::size_t i = 0; i < len; ++i) name += static_cast<char>(std::tolower(query[at + i]));
      at += len;
    }
    if (at + 5 > query.size()) return {};
    const unsigned qtype = (query[at + 1] << 8) | query[at + 2];
    const std::size_t question_end = at + 5;

    auto it = table_.find({name, qtype});
    const bool name_known = std::any_of(table_.begin(), table_.end(),
                                        [&](const auto& e) { return e.first.first == name; });
    const int rcode = it != table_.end() ? it->second.rcode : (name_known ? 0 : 3);
    const std::vector<Wire> rdata = it != table_.end() ? it->second.rdata : std::vector<Wire>{};

    Wire reply(query.begin(), query.begin() + 2);  // same ID
    put16(reply, 0x8180 | (query[2] & 0x01 ? 0x0100 : 0) | static_cast<unsigned>(rcode));
    put16(reply, 1);
    put16(reply, static_cast<unsigned>(rdata.size()));
    put16(reply, 0);
    put16(reply, 0);
    reply.insert(reply.end(), query.begin() + 12, query.begin() + static_cast<long>(question_end));
    for (const Wire& r : rdata) {
      put16(reply, 0xc00c);  // the name in the question
      put16(reply, qtype);
      put16(reply, 1);
      put16(reply, 0);
      put16(reply, 300);
      put16(reply, static_cast<unsigned>(r.size()));
      reply.insert(reply.end(), r.begin(), r.end());
    }
    return reply;
  }

  asio::io_context io_;
  asio::ip::udp::socket socket_;
  asio::ip::udp::endpoint peer_;
  std::array<std::uint8_t, 4096> buffer_{};
  std::map<std::pair<std::string, unsigned>, Canned> table_;
  std::atomic<int> queries_{0};
  std::thread thread_;
  bool silent_;
};

std::unique_ptr<UnboundResolver> resolver_for(const FakeDnsServer& server,
                                              std::chrono::milliseconds timeout) {
  UnboundOptions options;
  options.forwarder_host = "127.0.0.1";
  options.forwarder_port = server.port();
  options.timeout = timeout;
  auto resolver = UnboundResolver::create(options);
  EXPECT_TRUE(resolver.ok()) << resolver.error().message;
  return resolver.ok() ? std::move(resolver).value() : nullptr;
}

class UnboundResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Wire mx;
    put16(mx, 10);
    Wire exchange = name_wire("Mail.mx.test");
    mx.insert(mx.end(), exchange.begin(), exchange.end());
    server_.add("mx.test", RecordType::MX, {0, {mx}});
    server_.add("mail.mx.test", RecordType::A, {0, {{127, 0, 0, 1}, {127, 0, 0, 2}}});
    server_.add("txt.test", RecordType::TXT, {0, {{3, 'a', 'b', 'c', 2, 'd', 'e'}}});
    server_.add("_25._tcp.mail.mx.test", RecordType::TLSA, {0, {{3, 1, 1, 0xab, 0xcd}}});
    server_.add("broken.test", RecordType::A, {2, {}});        // SERVFAIL
    server_.add("bad.test", RecordType::A, {0, {{1, 2, 3}}});  // a 3-byte A record
    server_.start();
  }

  FakeDnsServer server_;  // declared first: outlives the resolver
  std::unique_ptr<UnboundResolver> resolver_ = resolver_for(server_, std::chrono::seconds(5));

  Answer ask(const std::string& name, RecordType type) {
    return test::run([&] { return lookup(*resolver_, name, type); });
  }
};

TEST_F(UnboundResolverTest, AnswersMx) {
  Answer mx = ask("mx.test", RecordType::MX);
  ASSERT_EQ(mx.status, Status::ok) << mx.reason;
  ASSERT_EQ(mx.mx.size(), 1u);
  EXPECT_EQ(mx.mx[0], (Mx{10, "mail.mx.test"}));
  EXPECT_FALSE(mx.secure);  // no trust anchor: nothing is validated
  EXPECT_GE(server_.queries(), 1);
}

TEST_F(UnboundResolverTest, AnswersAddressesTxtAndTlsa) {
  Answer a = ask("Mail.MX.test.", RecordType::A);
  ASSERT_EQ(a.status, Status::ok) << a.reason;
  ASSERT_EQ(a.addresses.size(), 2u);
  Answer txt = ask("txt.test", RecordType::TXT);
  ASSERT_EQ(txt.status, Status::ok) << txt.reason;
  EXPECT_EQ(txt.txt, std::vector<std::string>{"abcde"});
  Answer tlsa = ask("_25._tcp.mail.mx.test", RecordType::TLSA);
  ASSERT_EQ(tlsa.status, Status::ok) << tlsa.reason;
  ASSERT_EQ(tlsa.tlsa.size(), 1u);
  EXPECT_EQ(tlsa.tlsa[0].data, (std::vector<std::uint8_t>{0xab, 0xcd}));
}

TEST_F(UnboundResolverTest, NxdomainNodataAndServfail) {
  EXPECT_EQ(ask("missing.test", RecordType::A).status, Status::nxdomain);
  EXPECT_EQ(ask("txt.test", RecordType::A).status, Status::nodata);
  Answer broken = ask("broken.test", RecordType::A);
  EXPECT_EQ(broken.status, Status::temporary_failure);
  EXPECT_FALSE(broken.reason.empty());
  EXPECT_EQ(ask("bad.test", RecordType::A).status, Status::temporary_failure);
}

TEST_F(UnboundResolverTest, ManyConcurrentLookups) {
  std::vector<Query> queries;
  for (int i = 0; i < 20; ++i) {
    queries.push_back({i % 2 ? "mx.test" : "mail.mx.test", i % 2 ? RecordType::MX : RecordType::A});
  }
  std::vector<Answer> answers =
      test::run([&] { return lookup_all(*resolver_, std::move(queries)); });
  ASSERT_EQ(answers.size(), 20u);
  for (const Answer& answer : answers) EXPECT_EQ(answer.status, Status::ok) << answer.reason;
}

TEST_F(UnboundResolverTest, CallbackInterfaceWorksWithoutCoroutines) {
  std::promise<Answer> promise;
  resolver_->lookup("mx.test", RecordType::MX, [&](Answer a) { promise.set_value(std::move(a)); });
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(future.get().status, Status::ok);
}

TEST_F(UnboundResolverTest, LookupIsSafeFromManyThreads) {
  std::atomic<int> ok{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        resolver_->lookup("mx.test", RecordType::MX, [&](Answer a) {
          if (a.ok()) ++ok;
          ++done;
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < 500 && done < 40; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(done, 40);
  EXPECT_EQ(ok, 40);
}

TEST(UnboundResolverTimeoutTest, SilentServerTimesOut) {
  FakeDnsServer silent(true);
  silent.start();
  auto resolver = resolver_for(silent, std::chrono::milliseconds(300));
  ASSERT_TRUE(resolver);
  const auto start = std::chrono::steady_clock::now();
  Answer answer = test::run([&] { return lookup(*resolver, "slow.test", RecordType::A); });
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answer.status, Status::temporary_failure);
  EXPECT_NE(answer.reason.find("timed out"), std::string::npos) << answer.reason;
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_GE(silent.queries(), 1);  // it really asked
}

TEST(UnboundResolverTimeoutTest, DestructionCompletesPendingLookups) {
  FakeDnsServer silent(true);
  silent.start();
  auto resolver = resolver_for(silent, std::chrono::seconds(30));
  ASSERT_TRUE(resolver);
  std::promise<Answer> promise;
  resolver->lookup("slow.test", RecordType::A, [&](Answer a) { promise.set_value(std::move(a)); });
  for (int i = 0; i < 400 && silent.queries() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  resolver.reset();
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(1)), std::future_status::ready);
  EXPECT_EQ(future.get().status, Status::temporary_failure);
}

TEST(UnboundResolverConfigTest, RejectsBadForwarderAndTrustAnchor) {
  UnboundOptions bad_forwarder;
  bad_forwarder.forwarder_host = "not an address";
  EXPECT_FALSE(UnboundResolver::create(bad_forwarder).ok());

  UnboundOptions bad_anchor;
  bad_anchor.forwarder_host = "127.0.0.1";
  bad_anchor.trust_anchor_file = "/nonexistent/root.key";
  auto resolver = UnboundResolver::create(bad_anchor);
  ASSERT_FALSE(resolver.ok());
  EXPECT_NE(resolver.error().message.find("trust anchor"), std::string::npos)
      << resolver.error().message;
}

TEST(UnboundResolverConfigTest, SystemModeReadsResolvConf) {
  if (!std::ifstream("/etc/resolv.conf")) GTEST_SKIP() << "no /etc/resolv.conf here";
  auto resolver = UnboundResolver::create(UnboundOptions{});  // no lookup: nothing leaves the host
  EXPECT_TRUE(resolver.ok()) << resolver.error().message;
}

TEST(UnboundResolverConfigTest, LoadsTheRootTrustAnchorWhenInstalled) {
  if (!std::ifstream(kRootTrustAnchorFile)) GTEST_SKIP() << "dns-root-data is not installed";
  UnboundOptions options;
  options.forwarder_host = "127.0.0.1";
  options.forwarder_port = 9;  // never asked: no lookup here
  options.trust_anchor_file = kRootTrustAnchorFile;
  auto resolver = UnboundResolver::create(options);
  EXPECT_TRUE(resolver.ok()) << resolver.error().message;
}

// A validating resolver behind a forwarder that has no DNSSEC data must
// say bogus, never ok: this is what makes `secure` trustworthy for DANE.
TEST(UnboundResolverDnssecTest, UnsignedAnswersUnderATrustAnchorAreBogus) {
  if (!std::ifstream(kRootTrustAnchorFile)) GTEST_SKIP() << "dns-root-data is not installed";
  FakeDnsServer server;
  server.add("mail.mx.test", RecordType::A, {0, {{127, 0, 0, 1}}});
  server.start();
  UnboundOptions options;
  options.forwarder_host = "127.0.0.1";
  options.forwarder_port = server.port();
  options.trust_anchor_file = kRootTrustAnchorFile;
  options.timeout = std::chrono::seconds(5);
  auto resolver = UnboundResolver::create(options);
  ASSERT_TRUE(resolver.ok()) << resolver.error().message;
  Answer a = test::run([&] { return lookup(**resolver, "mail.mx.test", RecordType::A); });
  EXPECT_EQ(a.status, Status::bogus) << a.reason;
  EXPECT_NE(a.reason.find("DNSSEC"), std::string::npos) << a.reason;
  EXPECT_FALSE(a.secure);
  EXPECT_TRUE(a.addresses.empty());
}

TEST(UnboundOutcomeTest, MapsFieldsToStatus) {
  UnboundOutcome bogus;
  bogus.bogus = true;
  bogus.why_bogus = "signature expired";
  Answer a = to_answer(bogus, "x.test", RecordType::TLSA);
  EXPECT_EQ(a.status, Status::bogus);
  EXPECT_FALSE(a.secure);
  EXPECT_NE(a.reason.find("signature expired"), std::string::npos);

  UnboundOutcome secure_nodata;
  secure_nodata.secure = true;
  Answer n = to_answer(secure_nodata, "x.test", RecordType::TLSA);
  EXPECT_EQ(n.status, Status::nodata);
  EXPECT_TRUE(n.secure);

  UnboundOutcome error;
  error.error = -2;  // UB_NOMEM
  error.error_text = "out of memory";
  EXPECT_EQ(to_answer(error, "x.test", RecordType::A).status, Status::temporary_failure);
}

}  // namespace
}  // namespace herald::dns
