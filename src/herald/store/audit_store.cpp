// store::Store — the audit table: append events (in batches) and read them
// back filtered by time and kind.
#include <algorithm>

#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {

base::Result<void> Store::add_audit(const std::vector<AuditEvent>& events) {
  if (events.empty()) return {};
  return impl_->run("writing the audit trail", [&]() -> base::Result<void> {
    SQLite::Transaction tx(impl_->db);
    SQLite::Statement ins(impl_->db,
                          "INSERT INTO audit (at, kind, event, identity, ip, detail) "
                          "VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& e : events) {
      ins.bind(1, e.at != 0 ? e.at : unix_now());
      ins.bind(2, e.kind);
      ins.bind(3, e.event);
      ins.bind(4, e.identity);
      ins.bind(5, e.ip);
      ins.bind(6, e.detail);
      ins.exec();
      ins.reset();
    }
    tx.commit();
    return {};
  });
}

base::Result<std::vector<AuditEvent>> Store::list_audit(std::int64_t since, std::string_view kind,
                                                        std::size_t limit) {
  return impl_->run("reading the audit trail", [&]() -> base::Result<std::vector<AuditEvent>> {
    SQLite::Statement q(impl_->db,
                        "SELECT id, at, kind, event, identity, ip, detail FROM audit "
                        "WHERE at >= ? AND (? = '' OR kind = ?) ORDER BY id DESC LIMIT ?");
    q.bind(1, since);
    q.bind(2, std::string(kind));
    q.bind(3, std::string(kind));
    q.bind(4, static_cast<std::int64_t>(limit));
    std::vector<AuditEvent> out;
    while (q.executeStep()) {
      AuditEvent e;
      e.id = q.getColumn(0).getInt64();
      e.at = q.getColumn(1).getInt64();
      e.kind = q.getColumn(2).getString();
      e.event = q.getColumn(3).getString();
      e.identity = q.getColumn(4).getString();
      e.ip = q.getColumn(5).getString();
      e.detail = q.getColumn(6).getString();
      out.push_back(std::move(e));
    }
    std::reverse(out.begin(), out.end());
    return out;
  });
}

}  // namespace herald::store
