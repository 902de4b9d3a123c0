// store::Store — per-account sending rate limits, inherited down the
// sub-account chain. Counting is policy::RateLimiter's, in memory.
#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

base::Error no_such_account(std::string_view name) {
  return base::make_error(
      base::ErrorKind::not_found,
      fmt::format("account '{}' does not exist; see 'herald account list'", name));
}

}  // namespace

base::Result<void> Store::set_account_limits(std::string_view account, const AccountLimits& limits,
                                             bool clear_messages, bool clear_recipients) {
  return impl_->run("setting account limits", [&]() -> base::Result<void> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto id = account_id(db, std::string(account));
    if (!id) return no_such_account(account);
    auto set = [&](const char* column, std::optional<std::int64_t> value, bool clear) {
      if (!value && !clear) return;
      SQLite::Statement up(db, fmt::format("UPDATE accounts SET {} = ? WHERE id = ?", column));
      if (value) {
        up.bind(1, *value);
      } else {
        up.bind(1);  // NULL: inherit again
      }
      up.bind(2, *id);
      up.exec();
    };
    set("max_messages_per_hour", limits.messages_per_hour, clear_messages);
    set("max_recipients_per_hour", limits.recipients_per_hour, clear_recipients);
    tx.commit();
    return {};
  });
}

base::Result<AccountLimits> Store::account_limits(std::string_view account) {
  return impl_->run("reading account limits", [&]() -> base::Result<AccountLimits> {
    SQLite::Statement q(impl_->db,
                        "SELECT max_messages_per_hour, max_recipients_per_hour FROM accounts "
                        "WHERE name = ?");
    q.bind(1, std::string(account));
    if (!q.executeStep()) return no_such_account(account);
    return AccountLimits{optional_int(q.getColumn(0)), optional_int(q.getColumn(1))};
  });
}

AccountLimits read_effective_account_limits(StatementCache& statements,
                                            const std::string& account) {
  // Nearest first; the depth bound guards against a hand-made cycle.
  auto q = statements.get(
      "WITH RECURSIVE chain(id, depth) AS ("
      "  SELECT id, 0 FROM accounts WHERE name = ?"
      "  UNION ALL SELECT a.parent_id, c.depth + 1 FROM accounts a"
      "  JOIN chain c ON a.id = c.id WHERE a.parent_id IS NOT NULL AND c.depth < 16)"
      "SELECT a.max_messages_per_hour, a.max_recipients_per_hour FROM chain c "
      "JOIN accounts a ON a.id = c.id ORDER BY c.depth");
  q->bind(1, account);
  AccountLimits out;
  while (q->executeStep()) {
    if (!out.messages_per_hour) out.messages_per_hour = optional_int(q->getColumn(0));
    if (!out.recipients_per_hour) out.recipients_per_hour = optional_int(q->getColumn(1));
  }
  if (!out.messages_per_hour) out.messages_per_hour = 0;
  if (!out.recipients_per_hour) out.recipients_per_hour = 0;
  return out;
}

base::Result<AccountLimits> Store::effective_account_limits(std::string_view account) {
  return impl_->run("reading account limits", [&]() -> base::Result<AccountLimits> {
    return read_effective_account_limits(impl_->statements, std::string(account));
  });
}

base::Result<AccountPolicy> Store::account_policy(std::string_view account) {
  return impl_->run("reading an account's sending policy", [&]() -> base::Result<AccountPolicy> {
    // One read transaction: both answers come from the same snapshot, and
    // the connection takes its shared lock once instead of per statement.
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::DEFERRED);
    const std::string name(account);
    AccountPolicy out{read_account_domains(impl_->statements, name),
                      read_effective_account_limits(impl_->statements, name)};
    tx.commit();
    return out;
  });
}

}  // namespace herald::store
