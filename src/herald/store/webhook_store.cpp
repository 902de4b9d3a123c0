// store::Store — event webhooks and their outbox: add, list, remove, due
// batches, and the outcome of each send. URL, event and secret rules are
// the admin layer's; the sending itself is events::WebhookSender's.
#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

constexpr const char* kSelect =
    "SELECT w.id, w.account, w.url, w.events, w.created_at, w.created_by, w.disabled_at, "
    "w.disabled_reason, w.failing_since, w.last_success_at, w.last_failure_at, w.last_error, "
    "(SELECT COUNT(*) FROM webhook_outbox o WHERE o.webhook_id = w.id), w.secret FROM webhooks w";

WebhookRecord read_row(SQLite::Statement& q) {
  WebhookRecord r;
  Webhook& w = r.webhook;
  w.id = q.getColumn(0).getString();
  w.account = q.getColumn(1).getString();
  w.url = q.getColumn(2).getString();
  w.events = split_words(q.getColumn(3).getString());
  w.created_at = q.getColumn(4).getInt64();
  w.created_by = q.getColumn(5).getString();
  w.disabled_at = optional_int(q.getColumn(6));
  w.disabled_reason = q.getColumn(7).getString();
  w.failing_since = optional_int(q.getColumn(8));
  w.last_success_at = optional_int(q.getColumn(9));
  w.last_failure_at = optional_int(q.getColumn(10));
  w.last_error = q.getColumn(11).getString();
  w.pending = q.getColumn(12).getInt64();
  r.sealed_secret = q.getColumn(13).getString();
  return r;
}

// Runs `sql` once per seq with (?1 = seq, ?2 = webhook) bound.
void for_each_seq(SQLite::Database& db, const char* sql, std::string_view webhook,
                  const std::vector<std::int64_t>& seqs) {
  SQLite::Statement st(db, sql);
  for (auto seq : seqs) {
    st.bind(1, seq);
    st.bind(2, std::string(webhook));
    st.exec();
    st.reset();
  }
}

}  // namespace

base::Result<Webhook> Store::add_webhook(const Webhook& webhook, std::string_view sealed_secret) {
  return impl_->run("adding a webhook", [&]() -> base::Result<Webhook> {
    SQLite::Statement ins(impl_->db,
                          "INSERT INTO webhooks (id, account, url, events, secret, created_at, "
                          "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)");
    Webhook stored = webhook;
    stored.created_at = unix_now();
    ins.bind(1, webhook.id);
    ins.bind(2, webhook.account);
    ins.bind(3, webhook.url);
    ins.bind(4, join_words(webhook.events));
    ins.bind(5, std::string(sealed_secret));
    ins.bind(6, stored.created_at);
    ins.bind(7, webhook.created_by);
    ins.exec();
    return stored;
  });
}

base::Result<std::vector<Webhook>> Store::list_webhooks() {
  return impl_->run("listing webhooks", [&]() -> base::Result<std::vector<Webhook>> {
    SQLite::Statement q(impl_->db, std::string(kSelect) + " ORDER BY w.id");
    std::vector<Webhook> out;
    while (q.executeStep()) out.push_back(read_row(q).webhook);
    return out;
  });
}

base::Result<std::optional<WebhookRecord>> Store::find_webhook(std::string_view id) {
  return impl_->run("looking up a webhook", [&]() -> base::Result<std::optional<WebhookRecord>> {
    SQLite::Statement q(impl_->db, std::string(kSelect) + " WHERE w.id = ?");
    q.bind(1, std::string(id));
    if (!q.executeStep()) return std::optional<WebhookRecord>();
    return std::optional<WebhookRecord>(read_row(q));
  });
}

base::Result<void> Store::remove_webhook(std::string_view id) {
  return impl_->run("removing a webhook", [&]() -> base::Result<void> {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement del(impl_->db, "DELETE FROM webhooks WHERE id = ?");
    del.bind(1, std::string(id));
    if (del.exec() == 0) {
      return base::make_error(base::ErrorKind::not_found,
                              fmt::format("no webhook '{}'; see 'herald webhook list'", id));
    }
    SQLite::Statement outbox(impl_->db, "DELETE FROM webhook_outbox WHERE webhook_id = ?");
    outbox.bind(1, std::string(id));
    outbox.exec();
    tx.commit();
    return {};
  });
}

base::Result<std::vector<WebhookBatch>> Store::due_webhook_batches(std::int64_t now,
                                                                   std::size_t max_events) {
  return impl_->run("reading the webhook outbox", [&]() -> base::Result<std::vector<WebhookBatch>> {
    auto& db = impl_->db;
    SQLite::Statement hooks(db, std::string(kSelect) +
                                    " WHERE w.disabled_at IS NULL AND EXISTS (SELECT 1 FROM "
                                    "webhook_outbox o WHERE o.webhook_id = w.id AND "
                                    "o.next_attempt_at <= ?) ORDER BY w.id");
    hooks.bind(1, now);
    std::vector<WebhookBatch> out;
    while (hooks.executeStep()) out.push_back({read_row(hooks), {}});
    SQLite::Statement items(db,
                            "SELECT seq, event_id, payload, created_at, attempts FROM "
                            "webhook_outbox WHERE webhook_id = ? AND next_attempt_at <= ? ORDER "
                            "BY seq LIMIT ?");
    for (auto& batch : out) {
      items.bind(1, batch.hook.webhook.id);
      items.bind(2, now);
      items.bind(3, static_cast<std::int64_t>(max_events));
      while (items.executeStep()) {
        batch.items.push_back({items.getColumn(0).getInt64(), items.getColumn(1).getString(),
                               items.getColumn(2).getString(), items.getColumn(3).getInt64(),
                               items.getColumn(4).getInt()});
      }
      items.reset();
    }
    return out;
  });
}

base::Result<void> Store::webhook_delivered(std::string_view webhook,
                                            const std::vector<std::int64_t>& seqs,
                                            std::int64_t now) {
  return impl_->run("recording a webhook delivery", [&]() -> base::Result<void> {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    for_each_seq(impl_->db, "DELETE FROM webhook_outbox WHERE seq = ?1 AND webhook_id = ?2",
                 webhook, seqs);
    SQLite::Statement up(impl_->db,
                         "UPDATE webhooks SET failing_since = NULL, last_success_at = ?, "
                         "last_error = '' WHERE id = ?");
    up.bind(1, now);
    up.bind(2, std::string(webhook));
    up.exec();
    tx.commit();
    return {};
  });
}

base::Result<void> Store::webhook_failed(std::string_view webhook,
                                         const std::vector<std::int64_t>& seqs,
                                         std::int64_t next_attempt, std::int64_t now,
                                         std::string_view error) {
  return impl_->run("recording a webhook failure", [&]() -> base::Result<void> {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement st(impl_->db,
                         "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?3 "
                         "WHERE seq = ?1 AND webhook_id = ?2");
    for (auto seq : seqs) {
      st.bind(1, seq);
      st.bind(2, std::string(webhook));
      st.bind(3, next_attempt);
      st.exec();
      st.reset();
    }
    SQLite::Statement up(impl_->db,
                         "UPDATE webhooks SET failing_since = COALESCE(failing_since, ?1), "
                         "last_failure_at = ?1, last_error = ?2 WHERE id = ?3");
    up.bind(1, now);
    up.bind(2, std::string(error));
    up.bind(3, std::string(webhook));
    up.exec();
    tx.commit();
    return {};
  });
}

base::Result<std::vector<std::pair<std::string, std::int64_t>>> Store::drop_stale_webhook_events(
    std::int64_t before) {
  using Dropped = std::vector<std::pair<std::string, std::int64_t>>;
  return impl_->run("dropping stale webhook events", [&]() -> base::Result<Dropped> {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(impl_->db,
                        "SELECT webhook_id, COUNT(*) FROM webhook_outbox WHERE created_at < ? "
                        "GROUP BY webhook_id");
    q.bind(1, before);
    Dropped out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt64());
    SQLite::Statement del(impl_->db, "DELETE FROM webhook_outbox WHERE created_at < ?");
    del.bind(1, before);
    del.exec();
    tx.commit();
    return out;
  });
}

base::Result<void> Store::disable_webhook(std::string_view webhook, std::int64_t now,
                                          std::string_view reason) {
  return impl_->run("disabling a webhook", [&]() -> base::Result<void> {
    SQLite::Statement up(impl_->db,
                         "UPDATE webhooks SET disabled_at = ?, disabled_reason = ? WHERE id = ? "
                         "AND disabled_at IS NULL");
    up.bind(1, now);
    up.bind(2, std::string(reason));
    up.bind(3, std::string(webhook));
    up.exec();
    return {};
  });
}

}  // namespace herald::store
