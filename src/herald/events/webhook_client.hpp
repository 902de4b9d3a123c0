// events::post_webhook — one blocking HTTPS POST of a webhook body with
// libcurl, hardened against being pointed at internal services (SSRF). It
// owns no queue, retry or signing policy, and must never run on an I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::events {

struct PostRequest {
  std::string url;
  std::string body;  // JSON, sent as-is
  // Extra request headers (a signature, an event id). Names must be HTTP
  // tokens and values free of CR, LF and NUL; Host, Content-Type,
  // Content-Length, Transfer-Encoding, Connection, Expect and User-Agent
  // are set here and may not be replaced.
  std::vector<std::pair<std::string, std::string>> headers;
  // Tests and deliberately internal receivers only: allows http:// and
  // private, loopback and other non-public addresses.
  bool allow_private = false;
  // A PEM bundle trusted in addition to the system store; may be empty.
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
  std::size_t max_response = 64 * 1024;  // response bodies beyond this abort the transfer
};

enum class PostOutcome {
  delivered,       // a 2xx answer
  http_error,      // any other status (3xx included: redirects are not followed)
  refused_target,  // the URL is invalid, or the host is or resolves to a non-public address
  resolve_failed,  // the host name did not resolve
  connect_failed,  // no TCP connection could be made
  timed_out,       // connect_timeout or total_timeout passed
  tls_failed,      // handshake or certificate verification failed
  too_large,       // the response body exceeded max_response
  failed,          // anything else (bad request headers, unreadable ca_file, reset connection)
};

// A stable lower-case name for logs and metrics ("delivered", "timed_out"...).
std::string_view outcome_name(PostOutcome outcome);

struct PostResult {
  PostOutcome outcome = PostOutcome::failed;
  long status = 0;      // the HTTP status when an answer came back, else 0
  std::string detail;   // one sentence for people and logs; never the body or URL query
  std::string address;  // the IP address connected to (or that would have been)

  bool delivered() const { return outcome == PostOutcome::delivered; }
};

// Checks the URL (parse_webhook_url), resolves the host once with
// getaddrinfo, refuses unless every address is public (or allow_private),
// and pins libcurl to the first address (CURLOPT_RESOLVE) so that a DNS
// answer changing between the check and the connect cannot redirect it.
// Then POSTs with: https only (http too when allow_private), no redirects,
// no proxy, no signals, the two timeouts, a verified certificate (system
// store plus ca_file), the response read but capped at max_response.
// Callers decide by `outcome`, never by `detail`. Blocking; thread-safe.
PostResult post_webhook(const PostRequest& request);

}  // namespace herald::events
