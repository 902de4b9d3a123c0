// Tests for events::post_webhook against a tiny HTTP/1.1 server on loopback
// (a thread with plain sockets, optionally TLS with a throwaway certificate):
// each test picks how the server answers, and the server counts connections
// so that refusals can be shown to happen before any connect.
#include "herald/events/webhook_client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace herald::events {
namespace {

using namespace std::chrono_literals;

// A receiver that closed first must give EPIPE, not kill the test binary.
void ignore_sigpipe() {
  static const bool once = (std::signal(SIGPIPE, SIG_IGN), true);
  (void)once;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};

// A self-signed P-256 certificate for 127.0.0.1, ::1 and localhost, which
// a client trusts when given it as ca_file.
struct TestCert {
  std::unique_ptr<EVP_PKEY, PkeyFree> key{EVP_EC_gen("P-256")};
  std::unique_ptr<X509, X509Free> cert{X509_new()};
  std::string pem_path;

  TestCert() {
    X509* x = cert.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key.get());
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("herald webhook test"), -1,
                               -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x, key.get(), EVP_sha256());

    char path[] = "/tmp/herald-webhook-ca-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    pem_path = path;
    std::unique_ptr<BIO, void (*)(BIO*)> bio(BIO_new_file(path, "w"), BIO_free_all);
    PEM_write_bio_X509(bio.get(), x);
  }
  ~TestCert() { std::filesystem::remove(pem_path); }
};

enum class Mode {
  respond,       // read the request, write `response`, close
  silent,        // read the request, then never answer
  flood_length,  // answer with Content-Length: 1 MiB and send it
  flood_close,   // answer with 1 MiB delimited by closing the connection
};

// Accepts connections on `address`:<ephemeral port> one at a time.
class TestServer {
 public:
  explicit TestServer(Mode mode, std::string response = {}, SSL_CTX* tls = nullptr,
                      const std::string& address = "127.0.0.1")
      : mode_(mode), response_(std::move(response)), tls_(tls) {
    ignore_sigpipe();
    sockaddr_storage storage{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      len = sizeof *v4;
    } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      len = sizeof *v6;
    } else {
      return;
    }
    fd_ = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&storage), len) != 0 ||
        ::listen(fd_, 8) != 0) {
      return;
    }
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &len);
    port_ = ntohs(storage.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TestServer() {
    stop_ = true;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }

  bool listening() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  int connections() const { return connections_; }
  std::string request() {
    std::lock_guard lock(mutex_);
    return request_;
  }

 private:
  // Plain or TLS, whichever this server speaks.
  struct Conn {
    int fd;
    SSL* ssl;
    long read(char* buf, std::size_t n) const {
      return ssl ? SSL_read(ssl, buf, static_cast<int>(n)) : ::recv(fd, buf, n, 0);
    }
    bool write(std::string_view data) const {
      while (!data.empty()) {
        const long n = ssl ? SSL_write(ssl, data.data(), static_cast<int>(data.size()))
                           : ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
      }
      return true;
    }
  };

  void serve() {
    while (!stop_) {
      const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) return;
      ++connections_;
      timeval timeout{3, 0};
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
      std::unique_ptr<SSL, SslFree> ssl;
      if (tls_ != nullptr) {
        ssl.reset(SSL_new(tls_));
        SSL_set_fd(ssl.get(), client);
        if (SSL_accept(ssl.get()) != 1) {
          ERR_clear_error();
          ::close(client);
          continue;
        }
      }
      handle(Conn{client, ssl.get()});
      if (ssl) SSL_shutdown(ssl.get());
      ::close(client);
    }
  }

  // Reads the header section and a Content-Length body.
  std::string read_request(const Conn& c) {
    std::string data;
    char buf[4096];
    std::size_t want = std::string::npos;
    while (data.size() < (1u << 20)) {
      const auto end = data.find("\r\n\r\n");
      if (end != std::string::npos && want == std::string::npos) {
        want = end + 4;
        std::string head = data.substr(0, end);
        for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const auto cl = head.find("\r\ncontent-length:");
        if (cl != std::string::npos) want += std::strtoul(head.c_str() + cl + 17, nullptr, 10);
      }
      if (want != std::string::npos && data.size() >= want) break;
      const long n = c.read(buf, sizeof buf);
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
    }
    return data;
  }

  void handle(const Conn& c) {
    const std::string request = read_request(c);
    {
      std::lock_guard lock(mutex_);
      request_ = request;
    }
    const std::string mib(1 << 20, 'x');
    switch (mode_) {
      case Mode::respond:
        c.write(response_);
        break;
      case Mode::silent:
        // Hold the connection until the client gives up or the test ends.
        while (!stop_) {
          pollfd p{c.fd, POLLIN, 0};
          if (::poll(&p, 1, 50) > 0) {
            char b;
            if (::recv(c.fd, &b, 1, 0) <= 0) break;
          }
        }
        break;
      case Mode::flood_length:
        if (c.write("HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nConnection: close\r\n\r\n")) {
          c.write(mib);
        }
        break;
      case Mode::flood_close:
        if (c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")) c.write(mib);
        break;
    }
  }

  Mode mode_;
  std::string response_;
  SSL_CTX* tls_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::string request_;
};

std::string http(std::string_view status, std::string_view body = {}, std::string_view extra = {}) {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + std::string(extra) + "\r\n" + std::string(body);
}

PostRequest local(std::uint16_t port, std::string path = "/hook") {
  PostRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + path;
  r.body = R"({"event":"delivered","id":"m1"})";
  r.allow_private = true;
  r.connect_timeout = 1000ms;
  r.total_timeout = 1500ms;
  return r;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(OutcomeName, EveryOutcome) {
  EXPECT_EQ(outcome_name(PostOutcome::delivered), "delivered");
  EXPECT_EQ(outcome_name(PostOutcome::http_error), "http_error");
  EXPECT_EQ(outcome_name(PostOutcome::refused_target), "refused_target");
  EXPECT_EQ(outcome_name(PostOutcome::resolve_failed), "resolve_failed");
  EXPECT_EQ(outcome_name(PostOutcome::connect_failed), "connect_failed");
  EXPECT_EQ(outcome_name(PostOutcome::timed_out), "timed_out");
  EXPECT_EQ(outcome_name(PostOutcome::tls_failed), "tls_failed");
  EXPECT_EQ(outcome_name(PostOutcome::too_large), "too_large");
  EXPECT_EQ(outcome_name(PostOutcome::failed), "failed");
}

TEST(PostWebhook, Delivers) {
  TestServer server(Mode::respond, http("200 OK", "thanks"));
  ASSERT_TRUE(server.listening());
  PostRequest req = local(server.port(), "/in/abc?x=1");
  req.headers = {{"X-Herald-Signature", "t=1700000000,v1=abcd"}, {"X-Herald-Event", "delivered"}};
  const PostResult r = post_webhook(req);
  EXPECT_EQ(r.outcome, PostOutcome::delivered) << r.detail;
  EXPECT_TRUE(r.delivered());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.address, "127.0.0.1");
  const std::string seen = server.request();
  EXPECT_TRUE(seen.starts_with("POST /in/abc?x=1 HTTP/1.1\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\r\nContent-Type: application/json\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\r\nX-Herald-Signature: t=1700000000,v1=abcd\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\r\nX-Herald-Event: delivered\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\r\nUser-Agent: Herald-Webhooks/1\r\n")) << seen;
  EXPECT_FALSE(contains(seen, "Expect:")) << seen;
  EXPECT_TRUE(seen.ends_with("\r\n\r\n" + req.body)) << seen;
  EXPECT_EQ(server.connections(), 1);
}

TEST(PostWebhook, LargeBodyIsSentWithoutExpectContinue) {
  TestServer server(Mode::respond, http("204 No Content"));
  ASSERT_TRUE(server.listening());
  PostRequest req = local(server.port());
  req.body = "{\"pad\":\"" + std::string(100000, 'p') + "\"}";
  const auto start = std::chrono::steady_clock::now();
  const PostResult r = post_webhook(req);
  EXPECT_EQ(r.outcome, PostOutcome::delivered) << r.detail;
  EXPECT_EQ(r.status, 204);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
  EXPECT_TRUE(server.request().ends_with(req.body));
}

TEST(PostWebhook, ServerErrorIsHttpError) {
  TestServer server(Mode::respond, http("500 Internal Server Error", "oops"));
  ASSERT_TRUE(server.listening());
  const PostResult r = post_webhook(local(server.port()));
  EXPECT_EQ(r.outcome, PostOutcome::http_error) << r.detail;
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(contains(r.detail, "HTTP 500")) << r.detail;
}

TEST(PostWebhook, RedirectIsNotFollowed) {
  TestServer server(Mode::respond,
                    http("307 Temporary Redirect", "", "Location: http://127.0.0.1:1/x\r\n"));
  ASSERT_TRUE(server.listening());
  const PostResult r = post_webhook(local(server.port()));
  EXPECT_EQ(r.outcome, PostOutcome::http_error) << r.detail;
  EXPECT_EQ(r.status, 307);
  EXPECT_EQ(server.connections(), 1);
}

TEST(PostWebhook, SilentServerTimesOut) {
  TestServer server(Mode::silent);
  ASSERT_TRUE(server.listening());
  PostRequest req = local(server.port());
  req.total_timeout = 500ms;
  const auto start = std::chrono::steady_clock::now();
  const PostResult r = post_webhook(req);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.outcome, PostOutcome::timed_out) << r.detail;
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LT(elapsed, 1000ms);
}

TEST(PostWebhook, HugeAnswerWithLengthIsTooLarge) {
  TestServer server(Mode::flood_length);
  ASSERT_TRUE(server.listening());
  const PostResult r = post_webhook(local(server.port()));
  EXPECT_EQ(r.outcome, PostOutcome::too_large) << r.detail;
}

TEST(PostWebhook, HugeAnswerWithoutLengthIsTooLarge) {
  TestServer server(Mode::flood_close);
  ASSERT_TRUE(server.listening());
  const PostResult r = post_webhook(local(server.port()));
  EXPECT_EQ(r.outcome, PostOutcome::too_large) << r.detail;
  EXPECT_EQ(r.status, 200);
}

TEST(PostWebhook, AnswerAtTheLimitIsRead) {
  TestServer server(Mode::respond, http("200 OK", std::string(1000, 'a')));
  ASSERT_TRUE(server.listening());
  PostRequest req = local(server.port());
  req.max_response = 1000;
  EXPECT_EQ(post_webhook(req).outcome, PostOutcome::delivered);
}

TEST(PostWebhook, PrivateIpIsRefusedWithoutConnecting) {
  TestServer server(Mode::respond, http("200 OK"));
  ASSERT_TRUE(server.listening());
  PostRequest req = local(server.port());
  req.allow_private = false;
  req.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/hook";
  PostResult r = post_webhook(req);
  EXPECT_EQ(r.outcome, PostOutcome::refused_target) << r.detail;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hook";
  r = post_webhook(req);
  EXPECT_EQ(r.outcome, PostOutcome::refused_target) << r.detail;
  req.url = "https://[::ffff:127.0.0.1]:" + std::to_string(server.port()) + "/hook";
  r = post_webhook(req);
  EXPECT_EQ(r.outcome, PostOutcome::refused_target) << r.detail;
  EXPECT_EQ(server.connections(), 0);
}

TEST(PostWebhook, NameResolvingToLoopbackIsRefused) {
  TestServer server(Mode::respond, http("200 OK"));
  ASSERT_TRUE(server.listening());
  PostRequest req = local(server.port());
  req.allow_private = false;
  req.url = "https://localhost:" + std::to_string(server.port()) + "/hook";
  const PostResult r = post_webhook(req);
  EXPECT_EQ(r.outcome, PostOutcome::refused_target) << r.detail;
  EXPECT_TRUE(r.address == "127.0.0.1" || r.address == "::1") << r.address;
  EXPECT_EQ(server.connections(), 0);
}

TEST(PostWebhook, InvalidUrlIsRefused) {
  PostRequest req;
  req.url = "https://user:pw@example.com/";
  const PostResult r = post_webhook(req);
  EXPECT_EQ(r.outcome, PostOutcome::refused_target);
  EXPECT_TRUE(contains(r.detail, "credentials")) << r.detail;
}

TEST(PostWebhook, ClosedPortIsConnectFailed) {
  std::uint16_t port = 0;
  {
    TestServer gone(Mode::respond);
    port = gone.port();
  }
  const PostResult r = post_webhook(local(port));
  EXPECT_EQ(r.outcome, PostOutcome::connect_failed) << r.detail;
  EXPECT_EQ(r.address, "127.0.0.1");
}

TEST(PostWebhook, BadRequestHeadersAreRefusedBeforeConnecting) {
  TestServer server(Mode::respond, http("200 OK"));
  ASSERT_TRUE(server.listening());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"X-Evil", "a\r\nHost: other"},
      {"X-Evil", "a\nb"},
      {"X-Evil", std::string("a\0b", 3)},
      {"Bad Name", "x"},
      {"", "x"},
      {"X-Evil:", "x"},
      {"host", "other.example"},
      {"Content-Length", "0"},
      {"Transfer-Encoding", "chunked"},
      {"Content-Type", "text/plain"},
  };
  for (const auto& header : bad) {
    PostRequest req = local(server.port());
    req.headers = {header};
    const PostResult r = post_webhook(req);
    EXPECT_EQ(r.outcome, PostOutcome::failed) << header.first;
  }
  EXPECT_EQ(server.connections(), 0);
}

TEST(PostWebhook, EmptyHeaderValueIsSent) {
  TestServer server(Mode::respond, http("200 OK"));
  ASSERT_TRUE(server.listening());
  PostRequest req = local(server.port());
  req.headers = {{"X-Empty", ""}};
  EXPECT_EQ(post_webhook(req).outcome, PostOutcome::delivered);
  EXPECT_TRUE(contains(server.request(), "\r\nX-Empty:")) << server.request();
}

class PostWebhookTls : public ::testing::Test {
 protected:
  PostWebhookTls() {
    SSL_CTX_use_certificate(ctx.get(), cert.cert.get());
    SSL_CTX_use_PrivateKey(ctx.get(), cert.key.get());
  }

  PostRequest request(const std::string& host, std::uint16_t port) {
    PostRequest r;
    r.url = "https://" + host + ":" + std::to_string(port) + "/tls";
    r.body = "{}";
    r.allow_private = true;
    r.ca_file = cert.pem_path;
    r.connect_timeout = 1000ms;
    r.total_timeout = 1500ms;
    return r;
  }

  TestCert cert;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx{SSL_CTX_new(TLS_server_method())};
};

TEST_F(PostWebhookTls, DeliversWithCaFile) {
  TestServer server(Mode::respond, http("200 OK"), ctx.get());
  ASSERT_TRUE(server.listening());
  const PostResult r = post_webhook(request("127.0.0.1", server.port()));
  EXPECT_EQ(r.outcome, PostOutcome::delivered) << r.detail;
  EXPECT_TRUE(server.request().starts_with("POST /tls HTTP/1.1\r\n")) << server.request();
}

TEST_F(PostWebhookTls, UntrustedCertificateIsTlsFailed) {
  TestServer server(Mode::respond, http("200 OK"), ctx.get());
  ASSERT_TRUE(server.listening());
  PostRequest req = request("127.0.0.1", server.port());
  req.ca_file.clear();  // the system store does not know the test certificate
  const PostResult r = post_webhook(req);
  EXPECT_EQ(r.outcome, PostOutcome::tls_failed) << r.detail;
  EXPECT_TRUE(server.request().empty());
}

TEST_F(PostWebhookTls, UnreadableCaFileFails) {
  PostRequest req = request("127.0.0.1", 443);
  req.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(post_webhook(req).outcome, PostOutcome::failed);
}

// A host name goes through getaddrinfo and the CURLOPT_RESOLVE pin; the
// server listens on whichever loopback address "localhost" resolves to first.
TEST_F(PostWebhookTls, HostNameIsPinnedToTheCheckedAddress) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (::getaddrinfo("localhost", nullptr, &hints, &list) != 0) GTEST_SKIP() << "no localhost";
  char text[INET6_ADDRSTRLEN] = {};
  const void* where =
      list->ai_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(list->ai_addr)->sin_addr)
          : &reinterpret_cast<sockaddr_in6*>(list->ai_addr)->sin6_addr;
  ::inet_ntop(list->ai_family, where, text, sizeof text);
  ::freeaddrinfo(list);
  TestServer server(Mode::respond, http("202 Accepted"), ctx.get(), text);
  if (!server.listening()) GTEST_SKIP() << "cannot listen on " << text;
  const PostResult r = post_webhook(request("localhost", server.port()));
  EXPECT_EQ(r.outcome, PostOutcome::delivered) << r.detail;
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.address, text);
  EXPECT_TRUE(contains(r.detail, "localhost")) << r.detail;
}

}  // namespace
}  // namespace herald::events
