// delivery::MtaStsCache and resolve_sts_policy — which MTA-STS policy
// applies to a recipient domain right now (RFC 8461 §5): DNS discovery,
// the fetch on a worker thread, and a thread-safe in-memory cache of
// fetched policies. It does not decide TLS per MX host (see tls_policy).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "herald/delivery/mta_sts_fetcher.hpp"
#include "herald/delivery/mta_sts_policy.hpp"
#include "herald/dns/record.hpp"
#include "herald/dns/resolver.hpp"

namespace herald::delivery {

struct CachedStsPolicy {
  StsPolicy policy;
  std::string id;  // the TXT id it was fetched under
  std::chrono::system_clock::time_point fetched_at;
  std::chrono::system_clock::time_point expires_at;  // fetched_at + max_age
};

enum class StsSource { none, cache, fetched };

// The outcome for one domain. `fetch_error` is set whenever a fetch was
// tried and failed, even if a cached policy still applies: TLS-RPT wants
// those failures (sts-policy-fetch-error, -invalid, sts-webpki-invalid).
struct StsResolution {
  std::optional<StsPolicy> policy;  // nullopt: the domain has no MTA-STS policy now
  std::string id;
  StsSource source = StsSource::none;
  StsFetchError fetch_error = StsFetchError::none;
  std::string reason;  // why there is no policy, or why the fetch failed; for logs
};

// What to do after the TXT lookup: either done (`result`) or fetch `id`.
struct StsPlan {
  bool fetch = false;
  std::string id;
  StsResolution result;
};

using StsFetcher =
    std::function<StsFetchResult(const std::string& domain, const StsFetchOptions& options)>;

struct MtaStsCacheOptions {
  std::function<std::chrono::system_clock::time_point()> clock;  // empty: system_clock
  StsFetcher fetcher;                                            // empty: fetch_sts_policy
  // Bounds memory: past this, expired entries go, then the soonest to expire.
  std::size_t max_entries = 10'000;
  // A policy whose TXT id has not changed is fetched again after this long,
  // so that a domain that keeps publishing keeps being protected past
  // max_age; a failed refresh keeps the cached policy.
  std::chrono::seconds refresh_after{24 * 60 * 60};
};

// In memory only: after a restart every policy is fetched again.
class MtaStsCache {
 public:
  explicit MtaStsCache(MtaStsCacheOptions options = {});

  // The unexpired cached policy for `domain` (lowercase, no trailing dot).
  std::optional<CachedStsPolicy> find(std::string_view domain) const;
  void store(std::string_view domain, std::string id, StsPolicy policy);
  std::size_t size() const;

  // RFC 8461 §5 as two pure-ish steps around the fetch, so the coroutine
  // below and tests share the logic. plan(): given the _mta-sts TXT answer,
  // use the cache, give up, or fetch. finish(): given the fetch result,
  // cache it or fall back to the cached policy until it expires.
  StsPlan plan(std::string_view domain, const dns::Answer& txt) const;
  StsResolution finish(std::string_view domain, const std::string& id, StsFetchResult fetched);

  // plan + fetcher + finish on the calling thread (tests, CLI).
  StsResolution resolve_blocking(std::string_view domain, const dns::Answer& txt,
                                 const StsFetchOptions& options);

  const StsFetcher& fetcher() const { return fetcher_; }
  std::chrono::system_clock::time_point now() const;

 private:
  std::optional<CachedStsPolicy> find_locked(const std::string& domain) const;
  void evict_locked();

  std::function<std::chrono::system_clock::time_point()> clock_;
  StsFetcher fetcher_;
  std::size_t max_entries_;
  std::chrono::seconds refresh_after_;
  mutable std::mutex mutex_;
  std::map<std::string, CachedStsPolicy, std::less<>> entries_;
};

// The whole discovery for one domain, from a coroutine on an I/O thread:
// TXT _mta-sts.DOMAIN, then (if a fetch is needed) A/AAAA of
// mta-sts.DOMAIN through `resolver` (copied into options.addresses, so no
// system DNS is used) and the HTTPS fetch on `workers`. Resumes on the
// caller's executor. Every argument must outlive the operation: await it
// at once (`co_await resolve_sts_policy(...)`).
asio::awaitable<StsResolution> resolve_sts_policy(dns::Resolver& resolver,
                                                  asio::thread_pool& workers, MtaStsCache& cache,
                                                  std::string_view domain,
                                                  const StsFetchOptions& options);

}  // namespace herald::delivery
