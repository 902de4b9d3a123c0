// Tests for delivery::fetch_sts_policy against a real HTTPS server on
// loopback: a small in-process TLS server (so each test chooses status,
// headers and body exactly), a throwaway CA given as ca_file, and the
// CURLOPT_RESOLVE hook so that no name is ever looked up in system DNS.
#include "herald/delivery/mta_sts_fetcher.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/thread_pool.hpp>
#include <atomic>
#include <mutex>
#include <thread>

#include "herald/delivery/mta_sts_cache.hpp"
#include "herald/delivery/tls_policy_test_pki.hpp"
#include "herald/dns/test_resolver.hpp"

namespace herald::delivery {
namespace {

// Accepts TLS connections on 127.0.0.1:<ephemeral>, reads one request and
// answers with `response` verbatim.
class TlsHttpServer {
 public:
  TlsHttpServer(X509* cert, EVP_PKEY* key, X509* chain) : ctx_(test::server_ctx(cert, key, chain)) {
    test::ignore_sigpipe();
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsHttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
  }

  std::uint16_t port() const { return port_; }
  void respond(std::string response) {
    std::lock_guard lock(mutex_);
    response_ = std::move(response);
  }
  std::string request() {
    std::lock_guard lock(mutex_);
    return request_;
  }
  std::string sni() {
    std::lock_guard lock(mutex_);
    return sni_;
  }
  int connections() const { return connections_; }

 private:
  void serve() {
    while (!stop_) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      timeval timeout{5, 0};
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      test::Ssl ssl(SSL_new(ctx_.get()));
      SSL_set_fd(ssl.get(), client);
      if (SSL_accept(ssl.get()) == 1) {
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
          const int n = SSL_read(ssl.get(), buf, sizeof buf);
          if (n <= 0) break;
          request.append(buf, static_cast<std::size_t>(n));
        }
        std::string response;
        {
          std::lock_guard lock(mutex_);
          request_ = request;
          const char* name = SSL_get_servername(ssl.get(), TLSEXT_NAMETYPE_host_name);
          sni_ = name ? name : "";
          response = response_;
        }
        for (std::size_t off = 0; off < response.size();) {
          const int n =
              SSL_write(ssl.get(), response.data() + off,
                        static_cast<int>(std::min<std::size_t>(response.size() - off, 16384)));
          if (n <= 0) break;
          off += static_cast<std::size_t>(n);
        }
        SSL_shutdown(ssl.get());
      }
      ::close(client);
    }
  }

  test::SslCtx ctx_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::string response_;
  std::string request_;
  std::string sni_;
};

constexpr const char* kPolicy =
    "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.net\r\nmx: *.example.net\r\n"
    "max_age: 86400\r\n";

std::string http(std::string status, std::string content_type, const std::string& body,
                 std::string extra = {}) {
  std::string r = "HTTP/1.1 " + status + "\r\n";
  if (!content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" + extra +
       "\r\n";
  return r + body;
}

class FetchSts : public ::testing::Test {
 protected:
  FetchSts() {
    test::write_file(dir.path() / "ca.pem", test::pem(ca.get()));
    test::write_file(dir.path() / "other-ca.pem", test::pem(other_ca.get()));
    options.https_port = server.port();
    options.addresses = {asio::ip::make_address("127.0.0.1")};
    options.ca_file = (dir.path() / "ca.pem").string();
    options.connect_timeout = std::chrono::milliseconds{5000};
    options.total_timeout = std::chrono::milliseconds{10000};
  }

  test::TempDir dir;
  test::Pkey ca_key = test::make_key();
  test::Cert ca = test::make_cert("Test CA", ca_key.get(), nullptr, nullptr, true);
  test::Pkey other_ca_key = test::make_key();
  test::Cert other_ca = test::make_cert("Other CA", other_ca_key.get(), nullptr, nullptr, true);
  test::Pkey key = test::make_key();
  test::Cert cert = test::make_cert("mta-sts.example.net", key.get(), ca.get(), ca_key.get());
  TlsHttpServer server{cert.get(), key.get(), nullptr};
  StsFetchOptions options;
};

TEST(StsPolicyUrl, Form) {
  EXPECT_EQ(sts_policy_url("example.net"), "https://mta-sts.example.net/.well-known/mta-sts.txt");
  EXPECT_EQ(sts_policy_url("example.net", 8443),
            "https://mta-sts.example.net:8443/.well-known/mta-sts.txt");
}

TEST_F(FetchSts, FetchesAndParses) {
  server.respond(http("200 OK", "text/plain; charset=utf-8", kPolicy));
  const StsFetchResult r = fetch_sts_policy("Example.NET.", options);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.policy->mode, StsMode::enforce);
  EXPECT_EQ(r.policy->mx.size(), 2u);
  EXPECT_EQ(r.error, StsFetchError::none);
  EXPECT_TRUE(server.request().starts_with("GET /.well-known/mta-sts.txt HTTP/1.1\r\n"))
      << server.request();
  EXPECT_EQ(server.sni(), "mta-sts.example.net");
}

TEST_F(FetchSts, WrongCaIsWebpkiInvalid) {
  server.respond(http("200 OK", "text/plain", kPolicy));
  options.ca_file = (dir.path() / "other-ca.pem").string();
  const StsFetchResult r = fetch_sts_policy("example.net", options);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, StsFetchError::webpki_invalid) << r.reason;
  options.ca_file.clear();  // the system store does not know the test CA either
  EXPECT_EQ(fetch_sts_policy("example.net", options).error, StsFetchError::webpki_invalid);
}

TEST_F(FetchSts, CertificateForAnotherNameIsWebpkiInvalid) {
  server.respond(http("200 OK", "text/plain", kPolicy));
  // The server's certificate names mta-sts.example.net, not mta-sts.example.org.
  const StsFetchResult r = fetch_sts_policy("example.org", options);
  EXPECT_EQ(r.error, StsFetchError::webpki_invalid) << r.reason;
}

TEST_F(FetchSts, NotFoundIsAFetchError) {
  server.respond(http("404 Not Found", "text/plain", "no such file"));
  const StsFetchResult r = fetch_sts_policy("example.net", options);
  EXPECT_EQ(r.error, StsFetchError::fetch_error);
  EXPECT_NE(r.reason.find("HTTP 404"), std::string::npos) << r.reason;
}

TEST_F(FetchSts, RedirectsAreNotFollowed) {
  server.respond(http("301 Moved Permanently", "text/plain", "",
                      "Location: https://mta-sts.example.net:1/elsewhere\r\n"));
  const StsFetchResult r = fetch_sts_policy("example.net", options);
  EXPECT_EQ(r.error, StsFetchError::fetch_error);
  EXPECT_NE(r.reason.find("redirects are not followed"), std::string::npos) << r.reason;
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(FetchSts, OversizeBodyIsRefused) {
  const std::string big = std::string(kPolicy) + "x: " + std::string(70 * 1024, 'a') + "\r\n";
  server.respond(http("200 OK", "text/plain", big));
  EXPECT_NE(fetch_sts_policy("example.net", options).reason.find("larger than 64 KiB"),
            std::string::npos);
  // Without Content-Length the cap is enforced while reading.
  server.respond("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + big);
  const StsFetchResult r = fetch_sts_policy("example.net", options);
  EXPECT_EQ(r.error, StsFetchError::fetch_error);
  EXPECT_NE(r.reason.find("larger than 64 KiB"), std::string::npos) << r.reason;
}

TEST_F(FetchSts, WrongContentTypeOrBadPolicyIsInvalid) {
  server.respond(http("200 OK", "text/html", kPolicy));
  StsFetchResult r = fetch_sts_policy("example.net", options);
  EXPECT_EQ(r.error, StsFetchError::policy_invalid);
  EXPECT_NE(r.reason.find("text/html"), std::string::npos) << r.reason;
  server.respond(http("200 OK", "", kPolicy));
  EXPECT_EQ(fetch_sts_policy("example.net", options).error, StsFetchError::policy_invalid);
  server.respond(http("200 OK", "TEXT/PLAIN", "version: STSv1\nmode: enforce\n"));
  r = fetch_sts_policy("example.net", options);
  EXPECT_EQ(r.error, StsFetchError::policy_invalid);
  EXPECT_NE(r.reason.find("max_age"), std::string::npos) << r.reason;
}

TEST_F(FetchSts, UnreachableAndBadInput) {
  options.https_port = 1;  // nothing listens there
  EXPECT_EQ(fetch_sts_policy("example.net", options).error, StsFetchError::fetch_error);
  options.https_port = server.port();
  EXPECT_EQ(fetch_sts_policy("example.net/evil?", options).error, StsFetchError::fetch_error);
  EXPECT_EQ(fetch_sts_policy("", options).error, StsFetchError::fetch_error);
  options.ca_file = (dir.path() / "missing.pem").string();
  const StsFetchResult r = fetch_sts_policy("example.net", options);
  EXPECT_NE(r.reason.find("missing.pem"), std::string::npos) << r.reason;
  EXPECT_EQ(server.connections(), 0);
}

// The whole path: TXT and A records from a scripted resolver (as
// [dns] static would give them), the fetch on a worker, the cache.
TEST_F(FetchSts, ResolvePolicyEndToEnd) {
  server.respond(http("200 OK", "text/plain", kPolicy));
  dns::test::ScriptedResolver resolver;
  auto txt = dns::test::ok_answer(true);
  txt.txt = {"v=STSv1; id=20261123"};
  resolver.set("_mta-sts.example.net", dns::RecordType::TXT, txt);
  auto a = dns::test::ok_answer(true);
  a.addresses = {asio::ip::make_address("127.0.0.1")};
  resolver.set("mta-sts.example.net", dns::RecordType::A, a);
  MtaStsCache cache;
  asio::thread_pool workers(1);
  options.addresses.clear();  // must come from the resolver
  auto r = dns::test::run(
      [&] { return resolve_sts_policy(resolver, workers, cache, "example.net", options); });
  workers.join();
  ASSERT_TRUE(r.policy.has_value()) << r.reason;
  EXPECT_EQ(r.source, StsSource::fetched);
  EXPECT_EQ(r.id, "20261123");
  EXPECT_TRUE(mx_matches(*r.policy, "mx7.example.net"));
  EXPECT_EQ(cache.find("example.net")->id, "20261123");
}

}  // namespace
}  // namespace herald::delivery
