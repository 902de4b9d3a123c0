// delivery::MtaStsCache — RFC 8461 §5: a policy once fetched keeps
// protecting the domain until max_age runs out, whatever DNS or the policy
// host say in the meantime (an attacker on the path can hide both).
#include "herald/delivery/mta_sts_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <asio/async_result.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>
#include <asio/use_awaitable.hpp>
#include <memory>
#include <utility>
#include <vector>

namespace herald::delivery {
namespace {

StsResolution from_cache(const CachedStsPolicy& cached, std::string reason = {}) {
  StsResolution r;
  r.policy = cached.policy;
  r.id = cached.id;
  r.source = StsSource::cache;
  r.reason = std::move(reason);
  return r;
}

StsResolution no_policy(std::string reason) {
  StsResolution r;
  r.reason = std::move(reason);
  return r;
}

// Runs `fn` on the pool and resumes the awaiting coroutine on its own
// executor. `fn` captures references into the coroutine frame, which lives
// until the completion.
template <class T, class F>
asio::awaitable<T> on_workers(asio::thread_pool& pool, F fn) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(T)>(
      [&pool, fn = std::move(fn)](auto handler) mutable {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        // Tracked: the caller's io_context must not run out of work (and
        // return from run()) while the fetch is away on the pool.
        auto home = asio::prefer(asio::get_associated_executor(*shared),
                                 asio::execution::outstanding_work.tracked);
        asio::post(pool, [shared, home, fn = std::move(fn)]() mutable {
          T value = fn();
          asio::post(home, [shared, v = std::move(value)]() mutable { (*shared)(std::move(v)); });
        });
      },
      asio::use_awaitable);
}

}  // namespace

MtaStsCache::MtaStsCache(MtaStsCacheOptions options)
    : clock_(std::move(options.clock)),
      fetcher_(std::move(options.fetcher)),
      max_entries_(std::max<std::size_t>(options.max_entries, 1)),
      refresh_after_(options.refresh_after) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
  if (!fetcher_)
    fetcher_ = [](const std::string& d, const StsFetchOptions& o) {
      return fetch_sts_policy(d, o);
    };
}

std::chrono::system_clock::time_point MtaStsCache::now() const {
  return clock_();
}

std::optional<CachedStsPolicy> MtaStsCache::find_locked(const std::string& domain) const {
  auto it = entries_.find(domain);
  if (it == entries_.end() || it->second.expires_at <= clock_()) return std::nullopt;
  return it->second;
}

std::optional<CachedStsPolicy> MtaStsCache::find(std::string_view domain) const {
  const std::string key = dns::normalize_name(domain);
  std::lock_guard lock(mutex_);
  return find_locked(key);
}

void MtaStsCache::store(std::string_view domain, std::string id, StsPolicy policy) {
  CachedStsPolicy entry;
  entry.fetched_at = clock_();
  entry.expires_at = entry.fetched_at + policy.max_age;
  entry.id = std::move(id);
  entry.policy = std::move(policy);
  const std::string key = dns::normalize_name(domain);
  std::lock_guard lock(mutex_);
  entries_.insert_or_assign(key, std::move(entry));
  if (entries_.size() > max_entries_) evict_locked();
}

void MtaStsCache::evict_locked() {
  const auto now = clock_();
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires_at <= now; });
  while (entries_.size() > max_entries_) {
    auto soonest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.expires_at < b.second.expires_at; });
    entries_.erase(soonest);
  }
}

std::size_t MtaStsCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

StsPlan MtaStsCache::plan(std::string_view domain_view, const dns::Answer& txt) const {
  const std::string domain = dns::normalize_name(domain_view);
  const std::optional<CachedStsPolicy> cached = find(domain);
  StsPlan plan;
  // No usable record, for whatever reason (none, several, malformed, DNS
  // failure, bogus): the cached policy still applies until it expires.
  std::string why;
  std::optional<StsRecord> record;
  if (txt.status == dns::Status::ok) {
    auto selected = select_sts_record(txt.txt);
    if (selected) {
      record = std::move(*selected);
    } else {
      why = selected.error().message;
    }
  } else {
    why = fmt::format("no _mta-sts.{} record ({}{}{})", domain, dns::to_string(txt.status),
                      txt.reason.empty() ? "" : ": ", txt.reason);
  }
  if (!record) {
    plan.result = cached ? from_cache(*cached, why) : no_policy(why);
    return plan;
  }
  if (cached && cached->id == record->id && clock_() - cached->fetched_at < refresh_after_) {
    plan.result = from_cache(*cached);
    return plan;
  }
  plan.fetch = true;
  plan.id = record->id;
  return plan;
}

StsResolution MtaStsCache::finish(std::string_view domain_view, const std::string& id,
                                  StsFetchResult fetched) {
  const std::string domain = dns::normalize_name(domain_view);
  if (fetched.ok()) {
    StsResolution r;
    r.policy = *fetched.policy;
    r.id = id;
    r.source = StsSource::fetched;
    store(domain, id, std::move(*fetched.policy));
    return r;
  }
  StsResolution r;
  if (auto cached = find(domain)) r = from_cache(*cached);
  r.fetch_error = fetched.error == StsFetchError::none ? StsFetchError::fetch_error : fetched.error;
  r.reason = std::move(fetched.reason);
  return r;
}

StsResolution MtaStsCache::resolve_blocking(std::string_view domain, const dns::Answer& txt,
                                            const StsFetchOptions& options) {
  StsPlan p = plan(domain, txt);
  if (!p.fetch) return std::move(p.result);
  return finish(domain, p.id, fetcher_(dns::normalize_name(domain), options));
}

asio::awaitable<StsResolution> resolve_sts_policy(dns::Resolver& resolver,
                                                  asio::thread_pool& workers, MtaStsCache& cache,
                                                  std::string_view domain_view,
                                                  const StsFetchOptions& options) {
  // Copied before the first suspension (see the header).
  const std::string domain = dns::normalize_name(domain_view);
  StsFetchOptions fetch_options = options;

  std::string txt_name = "_mta-sts." + domain;
  const dns::Answer txt = co_await dns::lookup(resolver, std::move(txt_name), dns::RecordType::TXT);
  StsPlan plan = cache.plan(domain, txt);
  if (!plan.fetch) co_return std::move(plan.result);

  // The policy host is resolved through Herald's resolver, like every
  // other name delivery uses; libcurl only gets the addresses.
  const std::string host = "mta-sts." + domain;
  std::vector<dns::Query> queries;
  queries.push_back(dns::Query{host, dns::RecordType::A});
  queries.push_back(dns::Query{host, dns::RecordType::AAAA});
  const std::vector<dns::Answer> answers = co_await dns::lookup_all(resolver, std::move(queries));
  fetch_options.addresses.clear();
  for (const auto& a : answers) {
    fetch_options.addresses.insert(fetch_options.addresses.end(), a.addresses.begin(),
                                   a.addresses.end());
  }
  StsFetchResult fetched;
  if (fetch_options.addresses.empty()) {
    fetched.error = StsFetchError::fetch_error;
    fetched.reason = fmt::format(
        "{} has no address ({})", host,
        answers[0].reason.empty() ? dns::to_string(answers[0].status) : answers[0].reason);
  } else {
    const StsFetcher& fetcher = cache.fetcher();
    fetched = co_await on_workers<StsFetchResult>(
        workers, [&fetcher, &domain, &fetch_options] { return fetcher(domain, fetch_options); });
  }
  co_return cache.finish(domain, plan.id, std::move(fetched));
}

}  // namespace herald::delivery
