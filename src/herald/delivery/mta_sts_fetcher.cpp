// delivery::fetch_sts_policy — libcurl with every RFC 8461 §3.3 rule set
// explicitly rather than trusting defaults: https only, no redirects, no
// proxies, bounded in time and size, verified certificate.
#include "herald/delivery/mta_sts_fetcher.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace herald::delivery {
namespace {

struct Body {
  std::string text;
  bool too_big = false;
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t n = size * count;
  if (body->text.size() + n > kMaxStsPolicySize) {
    body->too_big = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  body->text.append(data, n);
  return n;
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

// Letters, digits, '-', '_' and dots only: the domain goes into a URL and a
// CURLOPT_RESOLVE entry, where ':' '/' '@' would change their meaning.
bool plain_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253 || domain.front() == '.') return false;
  return std::all_of(domain.begin(), domain.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// "text/plain", optionally with parameters; media types are case-insensitive.
bool is_text_plain(const char* content_type) {
  if (content_type == nullptr) return false;
  std::string_view type(content_type);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  constexpr std::string_view kWanted = "text/plain";
  return type.size() == kWanted.size() &&
         std::equal(type.begin(), type.end(), kWanted.begin(), [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

StsFetchResult failure(StsFetchError error, std::string reason) {
  StsFetchResult r;
  r.error = error;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

std::string_view to_string(StsFetchError error) {
  switch (error) {
    case StsFetchError::none:
      return "none";
    case StsFetchError::fetch_error:
      return "sts-policy-fetch-error";
    case StsFetchError::policy_invalid:
      return "sts-policy-invalid";
    case StsFetchError::webpki_invalid:
      return "sts-webpki-invalid";
  }
  return "sts-policy-fetch-error";
}

std::string sts_policy_url(std::string_view domain, std::uint16_t port) {
  if (port == 443) return fmt::format("https://mta-sts.{}/.well-known/mta-sts.txt", domain);
  return fmt::format("https://mta-sts.{}:{}/.well-known/mta-sts.txt", domain, port);
}

StsFetchResult fetch_sts_policy(std::string_view domain_view, const StsFetchOptions& options) {
  std::string domain(domain_view);
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (!plain_domain(domain)) {
    return failure(StsFetchError::fetch_error,
                   fmt::format("\"{}\" is not a domain name an MTA-STS policy can be fetched for",
                               domain_view));
  }
  if (!options.ca_file.empty() && ::access(options.ca_file.c_str(), R_OK) != 0) {
    return failure(StsFetchError::fetch_error,
                   fmt::format("cannot read the CA file {} ([delivery] ca_file)", options.ca_file));
  }
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return failure(StsFetchError::fetch_error, "cannot start libcurl");
  CURL* h = curl.get();

  const std::string host = "mta-sts." + domain;
  const std::string url = sts_policy_url(domain, options.https_port);
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> resolve(nullptr, curl_slist_free_all);
  if (!options.addresses.empty()) {
    std::string entry = fmt::format("{}:{}:", host, options.https_port);
    for (std::size_t i = 0; i < options.addresses.size(); ++i) {
      const auto& a = options.addresses[i];
      if (i > 0) entry += ',';
      entry += a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    }
    resolve.reset(curl_slist_append(nullptr, entry.c_str()));
    if (!resolve) return failure(StsFetchError::fetch_error, "out of memory");
    curl_easy_setopt(h, CURLOPT_RESOLVE, resolve.get());
  }

  Body body;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // RFC 8461 §3.3: no redirects
  curl_easy_setopt(h, CURLOPT_PROXY, "");           // ignore *_proxy in the environment
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxStsPolicySize));
  curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  // A cached CA store would be shared with other transfers; ca_file must
  // only ever add to this one.
  curl_easy_setopt(h, CURLOPT_CA_CACHE_TIMEOUT, 0L);
  if (!options.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, add_ca_file);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &options.ca_file);
  }
  curl_easy_setopt(h, CURLOPT_USERAGENT, "herald-mta-sts");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    if (body.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
      return failure(StsFetchError::fetch_error,
                     fmt::format("the MTA-STS policy at {} is larger than 64 KiB", url));
    }
    if (rc == CURLE_PEER_FAILED_VERIFICATION) {
      return failure(
          StsFetchError::webpki_invalid,
          fmt::format("the certificate of {} did not verify: {}", host, curl_easy_strerror(rc)));
    }
    return failure(StsFetchError::fetch_error,
                   fmt::format("fetching {} failed: {}", url, curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 300 && status < 400) {
    return failure(StsFetchError::fetch_error,
                   fmt::format("{} answered HTTP {}; redirects are not followed (RFC 8461 §3.3)",
                               url, status));
  }
  if (status != 200) {
    return failure(StsFetchError::fetch_error, fmt::format("{} answered HTTP {}", url, status));
  }
  const char* content_type = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type);
  if (!is_text_plain(content_type)) {
    return failure(StsFetchError::policy_invalid,
                   fmt::format("{} has Content-Type \"{}\", not text/plain", url,
                               content_type != nullptr ? content_type : ""));
  }
  auto policy = parse_sts_policy(body.text);
  if (!policy) return failure(StsFetchError::policy_invalid, policy.error().message);
  StsFetchResult ok;
  ok.policy = std::move(*policy);
  return ok;
}

}  // namespace herald::delivery
