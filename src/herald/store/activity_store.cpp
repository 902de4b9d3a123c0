// store::Store — message activity: events in batches (with the messages'
// and recipients' states and the hourly counters, in one transaction),
// searches, timelines, statistics, and pruning. What an event means and
// who may see which account is the caller's; this file only stores it.
#include <map>
#include <tuple>
#include <variant>

#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

constexpr const char* kMessageColumns =
    "m.id, m.received_at, m.account, m.identity, m.client_ip, m.sender, m.size, m.status, "
    "m.updated_at";

// Rows deleted per transaction while pruning: the server's own writes wait
// for at most one chunk.
constexpr int kPruneChunk = 2000;

bool is_recipient_status(std::string_view type) {
  return type == "delivered" || type == "deferred" || type == "bounced" || type == "expired" ||
         type == "suppressed";
}

// The hourly counter an event moves, or nullptr.
const char* counter_of(std::string_view type) {
  if (type == "received") return "accepted";
  if (type == "rejected") return "rejected";
  if (type == "delivered") return "delivered";
  if (type == "deferred") return "deferred";
  if (type == "bounced" || type == "expired") return "bounced";
  if (type == "suppressed") return "suppressed";
  return nullptr;
}

// The message's status from its recipients' (see MessageActivity).
std::string message_status(const std::vector<std::string>& recipients) {
  if (recipients.empty()) return "queued";
  bool waiting = false, deferred = false, delivered = false, failed = false;
  std::string first_failure;
  for (const auto& s : recipients) {
    if (s == "queued") {
      waiting = true;
    } else if (s == "deferred") {
      waiting = deferred = true;
    } else if (s == "delivered") {
      delivered = true;
    } else {
      failed = true;
      if (first_failure.empty() || s == "bounced") first_failure = s;
    }
  }
  if (waiting) return deferred ? "deferred" : "queued";
  if (delivered && failed) return "partial";
  if (delivered) return "delivered";
  return first_failure;
}

MessageActivity read_message(SQLite::Statement& q) {
  MessageActivity m;
  m.id = q.getColumn(0).getString();
  m.received_at = q.getColumn(1).getInt64();
  m.account = q.getColumn(2).getString();
  m.identity = q.getColumn(3).getString();
  m.client_ip = q.getColumn(4).getString();
  m.sender = q.getColumn(5).getString();
  m.size = static_cast<std::uint64_t>(q.getColumn(6).getInt64());
  m.status = q.getColumn(7).getString();
  m.updated_at = q.getColumn(8).getInt64();
  return m;
}

void load_recipients(SQLite::Database& db, MessageActivity& m) {
  SQLite::Statement q(db,
                      "SELECT address, status, updated_at FROM message_recipients WHERE "
                      "message_id = ? ORDER BY rowid");
  q.bind(1, m.id);
  while (q.executeStep()) {
    m.recipients.push_back(
        {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64()});
  }
}

// "?, ?, ?" for n placeholders.
std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

}  // namespace

base::Result<void> Store::record_activity(const std::vector<ActivityEvent>& events) {
  return impl_->run("recording message activity", [&]() -> base::Result<void> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement event(db,
                            "INSERT INTO message_events (id, message_id, at_ms, type, recipient, "
                            "detail) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING");
    SQLite::Statement message(db,
                              "INSERT OR IGNORE INTO messages (id, received_at, account, identity, "
                              "client_ip, sender, size, status, updated_at) VALUES "
                              "(?, ?, ?, ?, ?, ?, ?, 'queued', ?)");
    SQLite::Statement recipient(db,
                                "INSERT OR IGNORE INTO message_recipients (message_id, address, "
                                "status, updated_at) VALUES (?, ?, 'queued', ?)");
    // A later attempt's state replaces an earlier one's; "suppressed" (the
    // address went on the suppression list) never hides a final state
    // such as the bounce that caused it.
    SQLite::Statement state(db,
                            "UPDATE message_recipients SET status = ?1, updated_at = ?2 WHERE "
                            "message_id = ?3 AND address = ?4 AND (?1 != 'suppressed' OR status "
                            "IN ('queued', 'deferred'))");
    // Webhooks by account, read once per batch; an event goes to those of
    // its account and of every parent account.
    std::map<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>> hooks;
    {
      SQLite::Statement q(db, "SELECT id, account, events FROM webhooks WHERE disabled_at IS NULL");
      while (q.executeStep()) {
        hooks[q.getColumn(1).getString()].emplace_back(q.getColumn(0).getString(),
                                                       split_words(q.getColumn(2).getString()));
      }
    }
    std::map<std::string, std::optional<std::string>> parents;
    if (!hooks.empty()) {
      SQLite::Statement q(db,
                          "SELECT a.name, p.name FROM accounts a LEFT JOIN accounts p ON "
                          "a.parent_id = p.id");
      while (q.executeStep()) {
        parents[q.getColumn(0).getString()] =
            q.getColumn(1).isNull() ? std::nullopt
                                    : std::optional<std::string>(q.getColumn(1).getString());
      }
    }
    SQLite::Statement outbox(db,
                             "INSERT OR IGNORE INTO webhook_outbox (webhook_id, event_id, payload, "
                             "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)");
    auto queue_for_webhooks = [&](const ActivityEvent& e, std::int64_t at) {
      std::optional<std::string> account = e.account;
      for (int depth = 0; account && depth < 64; ++depth) {
        if (auto it = hooks.find(*account); it != hooks.end()) {
          for (const auto& [id, types] : it->second) {
            if (std::find(types.begin(), types.end(), e.type) == types.end()) continue;
            outbox.bind(1, id);
            outbox.bind(2, e.id);
            outbox.bind(3, e.webhook_payload);
            outbox.bind(4, at);
            outbox.bind(5, at);
            outbox.exec();
            outbox.reset();
          }
        }
        auto p = parents.find(*account);
        account = p == parents.end() ? std::nullopt : p->second;
      }
    };
    // (account, hour, counter) -> how many: one upsert each at the end.
    std::map<std::tuple<std::string, std::int64_t, const char*>, std::int64_t> counts;
    std::map<std::string, std::int64_t> changed;  // message -> when
    for (const auto& e : events) {
      const std::int64_t at = e.at_ms / 1000;
      const char* counter = counter_of(e.type);
      if (e.type == "rejected") {  // counted only
        ++counts[{e.account, at / 3600 * 3600, counter}];
        continue;
      }
      event.bind(1, e.id);
      event.bind(2, e.message_id);
      event.bind(3, e.at_ms);
      event.bind(4, e.type);
      event.bind(5, e.recipient);
      event.bind(6, e.detail.empty() ? std::string("{}") : e.detail);
      const int inserted = event.exec();
      event.reset();
      if (inserted == 0) continue;  // an event seen before: it counted then
      if (counter) ++counts[{e.account, at / 3600 * 3600, counter}];
      if (!e.webhook_payload.empty() && !hooks.empty()) queue_for_webhooks(e, at);
      if (e.type == "received") {
        message.bind(1, e.message_id);
        message.bind(2, at);
        message.bind(3, e.account);
        message.bind(4, e.identity);
        message.bind(5, e.client_ip);
        message.bind(6, e.sender);
        message.bind(7, static_cast<std::int64_t>(e.size));
        message.bind(8, at);
        message.exec();
        message.reset();
        for (const auto& r : e.recipients) {
          recipient.bind(1, e.message_id);
          recipient.bind(2, r);
          recipient.bind(3, at);
          recipient.exec();
          recipient.reset();
        }
      } else if (is_recipient_status(e.type)) {
        state.bind(1, e.type);
        state.bind(2, at);
        state.bind(3, e.message_id);
        state.bind(4, e.recipient);
        state.exec();
        state.reset();
        changed[e.message_id] = std::max(changed[e.message_id], at);
      }
    }
    SQLite::Statement states(db, "SELECT status FROM message_recipients WHERE message_id = ?");
    SQLite::Statement update(db, "UPDATE messages SET status = ?, updated_at = ? WHERE id = ?");
    for (const auto& [id, at] : changed) {
      std::vector<std::string> all;
      states.bind(1, id);
      while (states.executeStep()) all.push_back(states.getColumn(0).getString());
      states.reset();
      update.bind(1, message_status(all));
      update.bind(2, at);
      update.bind(3, id);
      update.exec();
      update.reset();
    }
    for (const auto& [key, n] : counts) {
      const auto& [account, hour, counter] = key;
      // The column name comes from counter_of's fixed list, never from input.
      SQLite::Statement bump(db, fmt::format("INSERT INTO hourly_stats (account, hour, {0}) VALUES "
                                             "(?, ?, ?) ON CONFLICT(account, hour) DO UPDATE SET "
                                             "{0} = {0} + excluded.{0}",
                                             counter));
      bump.bind(1, account);
      bump.bind(2, hour);
      bump.bind(3, n);
      bump.exec();
    }
    tx.commit();
    return {};
  });
}

base::Result<std::vector<MessageActivity>> Store::search_messages(const MessageQuery& query) {
  return impl_->run("searching messages", [&]() -> base::Result<std::vector<MessageActivity>> {
    std::string sql = std::string("SELECT ") + kMessageColumns + " FROM messages m WHERE 1 = 1";
    std::vector<std::variant<std::string, std::int64_t>> args;
    if (!query.accounts.empty()) {
      sql += " AND m.account IN (" + placeholders(query.accounts.size()) + ")";
      for (const auto& a : query.accounts) args.emplace_back(a);
    }
    if (!query.account.empty()) {
      sql += " AND m.account = ?";
      args.emplace_back(query.account);
    }
    if (!query.from.empty()) {
      sql += " AND m.sender = ? COLLATE NOCASE";
      args.emplace_back(query.from);
    }
    if (!query.to.empty()) {
      sql +=
          " AND EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id AND "
          "r.address = ? COLLATE NOCASE)";
      args.emplace_back(query.to);
    }
    if (!query.status.empty()) {
      sql +=
          " AND (m.status = ? OR EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = "
          "m.id AND r.status = ?))";
      args.emplace_back(query.status);
      args.emplace_back(query.status);
    }
    if (query.since > 0) {
      sql += " AND m.received_at >= ?";
      args.emplace_back(query.since);
    }
    if (query.until > 0) {
      sql += " AND m.received_at < ?";
      args.emplace_back(query.until);
    }
    if (query.after) {
      sql += " AND (m.received_at < ? OR (m.received_at = ? AND m.id < ?))";
      args.emplace_back(query.after->first);
      args.emplace_back(query.after->first);
      args.emplace_back(query.after->second);
    }
    sql += " ORDER BY m.received_at DESC, m.id DESC LIMIT ?";
    args.emplace_back(static_cast<std::int64_t>(query.limit));
    SQLite::Statement q(impl_->db, sql);
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::visit([&](const auto& v) { q.bind(static_cast<int>(i + 1), v); }, args[i]);
    }
    std::vector<MessageActivity> out;
    while (q.executeStep()) out.push_back(read_message(q));
    for (auto& m : out) load_recipients(impl_->db, m);
    return out;
  });
}

base::Result<std::optional<MessageTimeline>> Store::find_message(std::string_view id) {
  return impl_->run(
      "reading a message's activity", [&]() -> base::Result<std::optional<MessageTimeline>> {
        auto& db = impl_->db;
        SQLite::Statement q(
            db, std::string("SELECT ") + kMessageColumns + " FROM messages m WHERE m.id = ?");
        q.bind(1, std::string(id));
        if (!q.executeStep()) return std::optional<MessageTimeline>();
        MessageTimeline t;
        t.message = read_message(q);
        load_recipients(db, t.message);
        SQLite::Statement ev(db,
                             "SELECT id, at_ms, type, recipient, detail FROM "
                             "message_events WHERE message_id = ? ORDER BY seq");
        ev.bind(1, std::string(id));
        while (ev.executeStep()) {
          ActivityEvent e;
          e.id = ev.getColumn(0).getString();
          e.message_id = t.message.id;
          e.at_ms = ev.getColumn(1).getInt64();
          e.type = ev.getColumn(2).getString();
          e.account = t.message.account;
          e.recipient = ev.getColumn(3).getString();
          e.detail = ev.getColumn(4).getString();
          t.events.push_back(std::move(e));
        }
        return std::optional<MessageTimeline>(std::move(t));
      });
}

base::Result<std::vector<HourlyStats>> Store::hourly_stats(const std::vector<std::string>& accounts,
                                                           std::int64_t since, std::int64_t until) {
  return impl_->run("reading hourly statistics", [&]() -> base::Result<std::vector<HourlyStats>> {
    std::string sql =
        "SELECT account, hour, accepted, rejected, delivered, deferred, bounced, suppressed FROM "
        "hourly_stats WHERE hour >= ? AND hour < ?";
    if (!accounts.empty()) sql += " AND account IN (" + placeholders(accounts.size()) + ")";
    sql += " ORDER BY hour, account";
    SQLite::Statement q(impl_->db, sql);
    q.bind(1, since);
    q.bind(2, until);
    for (std::size_t i = 0; i < accounts.size(); ++i) q.bind(static_cast<int>(i + 3), accounts[i]);
    std::vector<HourlyStats> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(),
                     q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                     q.getColumn(4).getInt64(), q.getColumn(5).getInt64(),
                     q.getColumn(6).getInt64(), q.getColumn(7).getInt64()});
    }
    return out;
  });
}

base::Result<std::int64_t> Store::prune_activity(std::int64_t before, std::int64_t stats_before) {
  std::int64_t removed = 0;
  for (;;) {
    auto chunk = impl_->run("pruning message activity", [&]() -> base::Result<std::int64_t> {
      auto& db = impl_->db;
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement ids(db, "SELECT id FROM messages WHERE received_at < ? LIMIT ?");
      ids.bind(1, before);
      ids.bind(2, kPruneChunk);
      std::vector<std::string> doomed;
      while (ids.executeStep()) doomed.push_back(ids.getColumn(0).getString());
      SQLite::Statement events(db, "DELETE FROM message_events WHERE message_id = ?");
      SQLite::Statement recipients(db, "DELETE FROM message_recipients WHERE message_id = ?");
      SQLite::Statement message(db, "DELETE FROM messages WHERE id = ?");
      for (const auto& id : doomed) {
        for (auto* st : {&events, &recipients, &message}) {
          st->bind(1, id);
          st->exec();
          st->reset();
        }
      }
      tx.commit();
      return static_cast<std::int64_t>(doomed.size());
    });
    if (!chunk) return chunk.error();
    removed += *chunk;
    if (*chunk < kPruneChunk) break;
  }
  // Events of messages that never had a summary row (a DSN, a message
  // queued before activity was recorded), and old counters.
  auto rest = impl_->run("pruning message activity", [&]() -> base::Result<void> {
    SQLite::Statement events(impl_->db, "DELETE FROM message_events WHERE at_ms < ?");
    events.bind(1, before * 1000);
    events.exec();
    SQLite::Statement stats(impl_->db, "DELETE FROM hourly_stats WHERE hour < ?");
    stats.bind(1, stats_before);
    stats.exec();
    return {};
  });
  if (!rest) return rest.error();
  return removed;
}

}  // namespace herald::store
