#include "herald/store/audit_writer.hpp"

#include "herald/store/store_impl.hpp"

namespace herald::store {

AuditWriter::AuditWriter(ActivityStore& store, std::chrono::milliseconds interval,
                         std::size_t max_pending)
    : writer_(
          "audit",
          [&store](const std::vector<AuditEvent>& batch) { return store.add_audit(batch); },
          interval, max_pending) {}

void AuditWriter::record(AuditEvent event) {
  if (event.at == 0) event.at = unix_now();
  writer_.record(std::move(event));
}

}  // namespace herald::store
