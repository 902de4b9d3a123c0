#include "herald/events/webhook_client.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "herald/events/address_policy.hpp"
#include "herald/events/webhook_url.hpp"

namespace herald::events {
namespace {

constexpr const char* kUserAgent = "Herald-Webhooks/1";

// An address in binary form, to compare what libcurl is about to connect
// to with what was checked, whatever text form either was written in.
struct Address {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};
  std::string text;  // canonical (inet_ntop)

  bool operator==(const Address& other) const {
    return family == other.family && bytes == other.bytes;
  }
};

std::optional<Address> from_sockaddr(const sockaddr* sa, std::size_t len) {
  Address a;
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    a.family = AF_INET;
    std::memcpy(a.bytes.data(), &in->sin_addr, 4);
    ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    a.family = AF_INET6;
    std::memcpy(a.bytes.data(), &in6->sin6_addr, 16);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
  } else {
    return std::nullopt;
  }
  a.text = buf;
  return a;
}

std::optional<Address> from_text(const std::string& text) {
  Address a;
  char buf[INET6_ADDRSTRLEN] = {};
  if (::inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
  } else if (::inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
  } else {
    return std::nullopt;
  }
  ::inet_ntop(a.family, a.bytes.data(), buf, sizeof buf);
  a.text = buf;
  return a;
}

// The one lookup: every address it returns is checked, the first is used.
struct Resolution {
  std::vector<Address> addresses;
  std::string error;  // gai_strerror text when there are none
};

Resolution resolve(const std::string& host) {
  Resolution r;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    r.error = ::gai_strerror(rc);
    return r;
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(list, ::freeaddrinfo);
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    auto a = from_sockaddr(ai->ai_addr, ai->ai_addrlen);
    if (a && std::find(r.addresses.begin(), r.addresses.end(), *a) == r.addresses.end()) {
      r.addresses.push_back(std::move(*a));
    }
  }
  if (r.addresses.empty()) r.error = "no IPv4 or IPv6 address";
  return r;
}

struct Sink {
  std::size_t limit = 0;
  std::size_t received = 0;
  bool too_big = false;
};

// The response body is only counted: nothing in it is used, and keeping
// it would let a receiver make Herald hold its text.
std::size_t on_write(char*, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (n > sink->limit - sink->received) {
    sink->too_big = true;
    return 0;  // any count other than n aborts with CURLE_WRITE_ERROR
  }
  sink->received += n;
  return n;
}

// Second line of defence behind CURLOPT_RESOLVE: libcurl may open a
// socket only to the address that was checked. Should it ever resolve the
// name itself (a pin entry it did not match), the connection fails.
struct Pin {
  Address address;
  bool mismatch = false;
};

curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* addr) {
  auto* pin = static_cast<Pin*>(user);
  const auto target = from_sockaddr(&addr->addr, addr->addrlen);
  if (purpose != CURLSOCKTYPE_IPCXN || !target || !(*target == pin->address)) {
    pin->mismatch = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

// Adds the extra CA bundle to the store libcurl filled from the system
// defaults; CURLOPT_CAINFO would replace the system store instead.
CURLcode add_ca_file(CURL*, void* ssl_ctx, void* user) {
  const auto* ca_file = static_cast<const std::string*>(user);
  if (SSL_CTX_load_verify_locations(static_cast<SSL_CTX*>(ssl_ctx), ca_file->c_str(), nullptr) !=
      1) {
    ERR_clear_error();
    return CURLE_SSL_CACERT_BADFILE;
  }
  return CURLE_OK;
}

bool token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lx = static_cast<char>(x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x);
           const auto ly = static_cast<char>(y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
           return lx == ly;
         });
}

// Why a caller-supplied header cannot be sent, or empty when it can. CR/LF
// would let a value inject further headers or a second request.
std::string header_problem(const std::string& name, const std::string& value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), token_char)) {
    return "a webhook request header name is empty or not an HTTP token";
  }
  for (std::string_view reserved : {"host", "content-type", "content-length", "transfer-encoding",
                                    "connection", "expect", "user-agent"}) {
    if (equals_ignore_case(name, reserved)) {
      return fmt::format("the webhook request header {} is set by Herald and cannot be replaced",
                         name);
    }
  }
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return fmt::format("the webhook request header {} has a CR, LF or NUL in its value", name);
  }
  return {};
}

PostResult result(PostOutcome outcome, std::string detail, std::string address = {},
                  long status = 0) {
  PostResult r;
  r.outcome = outcome;
  r.detail = std::move(detail);
  r.address = std::move(address);
  r.status = status;
  return r;
}

PostOutcome outcome_for(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return PostOutcome::timed_out;
    case CURLE_COULDNT_CONNECT:
      return PostOutcome::connect_failed;
    case CURLE_COULDNT_RESOLVE_HOST:
      return PostOutcome::resolve_failed;
    case CURLE_FILESIZE_EXCEEDED:
      return PostOutcome::too_large;
    case CURLE_UNSUPPORTED_PROTOCOL:
      return PostOutcome::refused_target;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return PostOutcome::tls_failed;
    default:
      return PostOutcome::failed;
  }
}

// Collects setopt failures: an option this libcurl does not know (say,
// CURLOPT_PROTOCOLS_STR) must stop the request, not be silently skipped.
class Options {
 public:
  explicit Options(CURL* h) : h_(h) {}
  template <class T>
  void set(CURLoption option, T value) {
    if (curl_easy_setopt(h_, option, value) != CURLE_OK) ok_ = false;
  }
  bool ok() const { return ok_; }

 private:
  CURL* h_;
  bool ok_ = true;
};

}  // namespace

std::string_view outcome_name(PostOutcome outcome) {
  switch (outcome) {
    case PostOutcome::delivered:
      return "delivered";
    case PostOutcome::http_error:
      return "http_error";
    case PostOutcome::refused_target:
      return "refused_target";
    case PostOutcome::resolve_failed:
      return "resolve_failed";
    case PostOutcome::connect_failed:
      return "connect_failed";
    case PostOutcome::timed_out:
      return "timed_out";
    case PostOutcome::tls_failed:
      return "tls_failed";
    case PostOutcome::too_large:
      return "too_large";
    case PostOutcome::failed:
      return "failed";
  }
  return "failed";
}

PostResult post_webhook(const PostRequest& request) {
  auto url = parse_webhook_url(request.url, request.allow_private);
  if (!url) return result(PostOutcome::refused_target, url.error().message);
  const std::string& host = url->host;

  for (const auto& [name, value] : request.headers) {
    std::string problem = header_problem(name, value);
    if (!problem.empty()) return result(PostOutcome::failed, std::move(problem));
  }
  if (!request.ca_file.empty() && ::access(request.ca_file.c_str(), R_OK) != 0) {
    return result(PostOutcome::failed,
                  fmt::format("cannot read the webhook CA file {}", request.ca_file));
  }

  // Resolve once and check every answer: a name with one public and one
  // private address must not be usable to reach the private one.
  std::vector<Address> addresses;
  if (url->host_is_ip) {
    auto a = from_text(host);
    if (!a) return result(PostOutcome::refused_target, "the webhook host is not an IP address");
    addresses.push_back(std::move(*a));
  } else {
    Resolution r = resolve(host);
    if (r.addresses.empty()) {
      return result(PostOutcome::resolve_failed,
                    fmt::format("the webhook host {} did not resolve: {}", host, r.error));
    }
    addresses = std::move(r.addresses);
  }
  if (!request.allow_private) {
    for (const Address& a : addresses) {
      if (!is_public_address(a.text)) {
        return result(PostOutcome::refused_target,
                      fmt::format("the webhook host {} resolves to {}, which is not a public "
                                  "address; webhooks go to public hosts only",
                                  host, a.text),
                      a.text);
      }
    }
  }
  Pin pin{addresses.front()};
  const std::string& address = pin.address.text;

  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return result(PostOutcome::failed, "cannot start libcurl", address);
  CURL* h = curl.get();

  using Slist = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;
  auto append = [](Slist& list, const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (next == nullptr) return false;
    (void)list.release();  // curl_slist_append returned the same list, extended
    list.reset(next);
    return true;
  };
  Slist resolve_list(nullptr, curl_slist_free_all);
  Slist header_list(nullptr, curl_slist_free_all);
  bool lists_ok = true;
  if (!url->host_is_ip) {
    const std::string addr = pin.address.family == AF_INET6 ? "[" + address + "]" : address;
    // libcurl may look a name up with or without its trailing dot; pin both.
    std::string bare = host;
    if (!bare.empty() && bare.back() == '.') bare.pop_back();
    lists_ok &= append(resolve_list, fmt::format("{}:{}:{}", bare, url->port, addr));
    lists_ok &= append(resolve_list, fmt::format("{}.:{}:{}", bare, url->port, addr));
  }
  lists_ok &= append(header_list, "Content-Type: application/json");
  // No "Expect: 100-continue" round trip (libcurl adds it for larger bodies).
  lists_ok &= append(header_list, "Expect:");
  for (const auto& [name, value] : request.headers) {
    // "Name;" is libcurl's way to send a header with an empty value.
    lists_ok &= append(header_list, value.empty() ? name + ";" : name + ": " + value);
  }
  if (!lists_ok) return result(PostOutcome::failed, "out of memory", address);

  const std::string target_url = url->to_string();
  const char* protocols = url->scheme == "http" ? "http,https" : "https";
  Sink sink{request.max_response};
  char error_buffer[CURL_ERROR_SIZE] = {};

  Options o(h);
  o.set(CURLOPT_URL, target_url.c_str());
  o.set(CURLOPT_PROTOCOLS_STR, protocols);
  o.set(CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  o.set(CURLOPT_FOLLOWLOCATION, 0L);
  o.set(CURLOPT_MAXREDIRS, 0L);
  o.set(CURLOPT_PROXY, "");     // ignore *_proxy in the environment
  o.set(CURLOPT_NOPROXY, "*");  // and never let a proxy choose the target
  o.set(CURLOPT_NOSIGNAL, 1L);  // timeouts must not use SIGALRM on a worker thread
  if (resolve_list) o.set(CURLOPT_RESOLVE, resolve_list.get());
  o.set(CURLOPT_OPENSOCKETFUNCTION, open_socket);
  o.set(CURLOPT_OPENSOCKETDATA, &pin);
  o.set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  o.set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  o.set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  o.set(CURLOPT_SSL_VERIFYPEER, 1L);
  o.set(CURLOPT_SSL_VERIFYHOST, 2L);
  // A cached CA store would be shared with other transfers; ca_file must
  // only ever add to this one.
  o.set(CURLOPT_CA_CACHE_TIMEOUT, 0L);
  if (!request.ca_file.empty()) {
    o.set(CURLOPT_SSL_CTX_FUNCTION, add_ca_file);
    o.set(CURLOPT_SSL_CTX_DATA, static_cast<const void*>(&request.ca_file));
  }
  o.set(CURLOPT_POST, 1L);
  o.set(CURLOPT_POSTFIELDS, request.body.data());
  o.set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  o.set(CURLOPT_HTTPHEADER, header_list.get());
  o.set(CURLOPT_USERAGENT, kUserAgent);
  o.set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_response));
  o.set(CURLOPT_WRITEFUNCTION, on_write);
  o.set(CURLOPT_WRITEDATA, &sink);
  o.set(CURLOPT_ERRORBUFFER, error_buffer);
  if (!o.ok()) {
    return result(PostOutcome::failed,
                  "this libcurl lacks an option webhooks need (libcurl 7.87 or newer)", address);
  }

  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  const std::string where = url->host_is_ip ? address : fmt::format("{} ({})", host, address);

  if (rc != CURLE_OK) {
    const std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
      return result(
          PostOutcome::too_large,
          fmt::format("the answer from {} was larger than {} bytes", where, request.max_response),
          address, status);
    }
    if (pin.mismatch) {
      return result(PostOutcome::refused_target,
                    fmt::format("libcurl tried to connect to {} elsewhere than the checked "
                                "address; refused",
                                host),
                    address, status);
    }
    return result(outcome_for(rc), fmt::format("POST to {} failed: {}", where, reason), address,
                  status);
  }
  if (status >= 200 && status < 300) {
    return result(PostOutcome::delivered, fmt::format("{} answered HTTP {}", where, status),
                  address, status);
  }
  return result(PostOutcome::http_error,
                fmt::format("{} answered HTTP {}{}", where, status,
                            status >= 300 && status < 400 ? "; redirects are not followed" : ""),
                address, status);
}

}  // namespace herald::events
