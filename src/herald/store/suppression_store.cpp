// store::Store — the suppression list: addresses Herald does not send to.
// Only records rows; deciding to refuse a recipient is the session's, and
// adding hard-bounced addresses is delivery's.
#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

constexpr std::size_t kMaxReason = 300;

// The reason is quoted in an SMTP reply, so no control character may get
// in; a long one is cut (at a UTF-8 character boundary).
std::string clean_reason(std::string_view reason) {
  std::string out;
  for (char c : reason) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  out.erase(0, first);
  out.erase(out.find_last_not_of(' ') + 1);
  if (out.size() > kMaxReason) {
    std::size_t cut = kMaxReason;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

Suppression row(SQLite::Statement& q) {
  return {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
          q.getColumn(3).getInt64()};
}

}  // namespace

base::Result<Suppression> Store::add_suppression(std::string_view address, std::string_view reason,
                                                 std::string_view source) {
  auto canonical = normalize_login_address(address);
  if (!canonical) return canonical.error();
  if (source != "bounce" && source != "manual") {
    return base::make_error(
        base::ErrorKind::invalid,
        fmt::format("suppression source '{}' is unknown; it must be 'bounce' or 'manual'", source));
  }
  const std::string why = clean_reason(reason);
  return impl_->run("adding to the suppression list", [&]() -> base::Result<Suppression> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Upsert: the address keeps its first date, takes the newest reason.
    SQLite::Statement up(db,
                         "INSERT INTO suppressions (address, reason, source, created_at) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT(address) DO UPDATE SET "
                         "reason = excluded.reason, source = excluded.source");
    up.bind(1, *canonical);
    up.bind(2, why);
    up.bind(3, std::string(source));
    up.bind(4, unix_now());
    up.exec();
    SQLite::Statement q(db,
                        "SELECT address, reason, source, created_at FROM suppressions "
                        "WHERE address = ?");
    q.bind(1, *canonical);
    q.executeStep();
    Suppression s = row(q);
    tx.commit();
    return s;
  });
}

base::Result<void> Store::remove_suppression(std::string_view address) {
  auto canonical = normalize_login_address(address);
  if (!canonical) return canonical.error();
  return impl_->run("removing from the suppression list", [&]() -> base::Result<void> {
    SQLite::Statement del(impl_->db, "DELETE FROM suppressions WHERE address = ?");
    del.bind(1, *canonical);
    if (del.exec() == 0) {
      return base::make_error(
          base::ErrorKind::not_found,
          fmt::format("'{}' is not on the suppression list, so there is nothing to remove; "
                      "see 'herald suppression list'",
                      *canonical));
    }
    return {};
  });
}

base::Result<std::vector<Suppression>> Store::list_suppressions() {
  return impl_->run("listing the suppression list",
                    [&]() -> base::Result<std::vector<Suppression>> {
                      SQLite::Statement q(impl_->db,
                                          "SELECT address, reason, source, created_at FROM "
                                          "suppressions ORDER BY address");
                      std::vector<Suppression> out;
                      while (q.executeStep()) out.push_back(row(q));
                      return out;
                    });
}

base::Result<std::optional<Suppression>> Store::find_suppression(std::string_view address) {
  auto canonical = normalize_login_address(address);
  if (!canonical) return std::optional<Suppression>{};
  return impl_->run("looking up the suppression list",
                    [&]() -> base::Result<std::optional<Suppression>> {
                      auto q = impl_->statements.get(
                          "SELECT address, reason, source, created_at FROM "
                          "suppressions WHERE address = ?");
                      q->bind(1, *canonical);
                      if (!q->executeStep()) return std::optional<Suppression>{};
                      return std::optional<Suppression>(row(*q));
                    });
}

}  // namespace herald::store
