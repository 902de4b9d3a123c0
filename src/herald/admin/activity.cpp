// admin::Admin — message activity: search, one message's timeline, and the
// hourly counters, with tenants limited to their accounts. Reads only; the
// events are written by events::ActivityRecorder.
#include <fmt/format.h>

#include <array>
#include <ctime>

#include "herald/admin/admin.hpp"
#include "herald/base/units.hpp"

namespace herald::admin {
namespace {

constexpr std::array<std::string_view, 7> kStatuses = {
    "queued", "deferred", "delivered", "bounced", "expired", "suppressed", "partial"};

constexpr std::int64_t kMaxStatsRange = 400LL * 24 * 3600;

base::Error invalid(std::string message) {
  return base::make_error(base::ErrorKind::invalid, std::move(message));
}

base::Error no_such_message(std::string_view id) {
  return base::make_error(
      base::ErrorKind::not_found,
      fmt::format("no activity for message '{}' (unknown, not yours, or older than [activity] "
                  "retention); search with 'herald messages search'",
                  id));
}

// "2026-12-03T17:00:00Z" or "2026-12-03": Unix seconds, UTC.
std::optional<std::int64_t> parse_utc(std::string_view text) {
  std::tm tm{};
  int fields = 0;
  char tail = 0;
  const std::string s(text);
  if (s.size() == 10) {
    fields = std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tail);
    if (fields != 3) return std::nullopt;
  } else if (s.size() == 20 && (s[10] == 'T' || s[10] == 't') && (s[19] == 'Z' || s[19] == 'z')) {
    fields = std::sscanf(s.c_str(), "%4d-%2d-%2d%*c%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                         &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    if (fields != 6) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
      tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

Result<std::int64_t> parse_time_bound(std::string_view text, std::int64_t now) {
  if (auto t = parse_utc(text)) return *t;
  if (auto d = base::parse_duration(text)) return now - d->count();
  return invalid(
      fmt::format("'{}' is not a time: give a duration back from now (24h, 7d) or a "
                  "UTC time (2026-12-03T17:00:00Z)",
                  text));
}

Result<std::optional<std::vector<std::string>>> Admin::visible_accounts(const Actor& actor) {
  if (actor.read_all) return std::optional<std::vector<std::string>>();
  auto t = tree();
  if (!t) return t.error();
  std::vector<std::string> out;
  for (const auto& [name, parent] : *t) {
    if (actor.owns(*t, name)) out.push_back(name);
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::vector<store::MessageActivity>> Admin::search_messages(const Actor& actor,
                                                                   const MessageSearch& search) {
  if (search.limit < 1 || search.limit > 1000) return invalid("limit must be from 1 to 1000");
  if (!search.status.empty() &&
      std::find(kStatuses.begin(), kStatuses.end(), search.status) == kStatuses.end()) {
    return invalid(
        fmt::format("status '{}' is unknown; use queued, deferred, delivered, bounced, "
                    "expired, suppressed or partial",
                    search.status));
  }
  for (const auto* address : {&search.to, &search.from}) {
    if (address->size() > 320) return invalid("an address is at most 320 characters");
  }
  if (search.since > 0 && search.until > 0 && search.until <= search.since) {
    return invalid("until must be later than since");
  }
  store::MessageQuery q;
  q.to = search.to;
  q.from = search.from;
  q.account = search.account;
  q.status = search.status;
  q.since = search.since;
  q.until = search.until;
  q.after = search.after;
  q.limit = search.limit;
  auto visible = visible_accounts(actor);
  if (!visible) return visible.error();
  if (*visible) {
    // A tenant searches its accounts only; naming another finds nothing.
    if ((*visible)->empty()) return std::vector<store::MessageActivity>();
    q.accounts = std::move(**visible);
  }
  return store_.search_messages(q);
}

Result<store::MessageTimeline> Admin::get_message(const Actor& actor, std::string_view id) {
  if (id.empty() || id.size() > 64) return no_such_message(id);
  auto found = store_.find_message(id);
  if (!found) return found.error();
  if (!*found) return no_such_message(id);
  auto t = tree();
  if (!t) return t.error();
  if (!actor.may_read(*t, (*found)->message.account)) return no_such_message(id);
  return std::move(**found);
}

Result<StatsView> Admin::stats(const Actor& actor, const StatsQuery& query) {
  const std::int64_t now = unix_now();
  StatsView view;
  view.until = (query.until > 0 ? query.until : now + 3600) / 3600 * 3600;
  view.since = (query.since > 0 ? query.since : now - 24 * 3600) / 3600 * 3600;
  if (view.until <= view.since) return invalid("until must be later than since");
  if (view.until - view.since > kMaxStatsRange) {
    return invalid("ask for at most 400 days of hourly counters at once");
  }
  std::vector<std::string> accounts;
  auto visible = visible_accounts(actor);
  if (!visible) return visible.error();
  if (!query.account.empty()) {
    auto t = tree();
    if (!t) return t.error();
    if (t->find(query.account) == t->end() || !actor.may_read(*t, query.account)) {
      return base::make_error(base::ErrorKind::not_found,
                              fmt::format("account '{}' does not exist", query.account));
    }
    accounts.push_back(query.account);
  } else if (*visible) {
    if ((*visible)->empty()) return view;
    accounts = std::move(**visible);
  }
  auto hours = store_.hourly_stats(accounts, view.since, view.until);
  if (!hours) return hours.error();
  view.hours = std::move(*hours);
  for (const auto& h : view.hours) {
    view.totals.accepted += h.accepted;
    view.totals.rejected += h.rejected;
    view.totals.delivered += h.delivered;
    view.totals.deferred += h.deferred;
    view.totals.bounced += h.bounced;
    view.totals.suppressed += h.suppressed;
  }
  return view;
}

}  // namespace herald::admin
