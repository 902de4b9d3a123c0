// admin::Admin — the outbound queue: list, show, retry, delete, through a
// read-only view of the spool (the running server owns the writable one).
#include "herald/admin/admin.hpp"

namespace herald::admin {
namespace {

Result<std::unique_ptr<spool::Spool>> open_view(const config::Config& config) {
  auto spool = spool::Spool::open(config.data_dir, {.read_only = true});
  if (!spool) return base::make_error(base::ErrorKind::unavailable, spool.error().message);
  return spool;
}

}  // namespace

Result<std::vector<spool::QueueEntry>> Admin::list_queue(const Actor& actor) {
  auto view = open_view(config_);
  if (!view) return view.error();
  auto entries = (*view)->list();
  if (!entries || actor.read_all) return entries;
  auto t = tree();
  if (!t) return t.error();
  std::vector<spool::QueueEntry> visible;
  for (auto& e : *entries) {
    if (actor.owns(*t, e.envelope.account)) visible.push_back(std::move(e));
  }
  return visible;
}

Result<spool::QueueEntry> Admin::get_queued(const Actor& actor, std::string_view id) {
  auto view = open_view(config_);
  if (!view) return view.error();
  auto entry = (*view)->find(id);
  if (!entry) return entry.error();
  if (!actor.read_all) {
    auto t = tree();
    if (!t) return t.error();
    if (!actor.owns(*t, entry->envelope.account)) {
      return base::make_error(base::ErrorKind::not_found,
                              "no message " + std::string(id) + " in the queue");
    }
  }
  return entry;
}

Result<std::unique_ptr<spool::Spool>> Admin::queue_for_change(const Actor& actor,
                                                              std::string_view id) {
  auto entry = get_queued(actor, id);
  if (!entry) return entry.error();
  auto t = tree();
  if (!t) return t.error();
  if (auto ok = check_write(actor, *t, entry->envelope.account); !ok) return ok.error();
  return open_view(config_);
}

Result<void> Admin::retry_queued(const Actor& actor, std::string_view id) {
  auto view = queue_for_change(actor, id);
  if (!view) return view.error();
  if (auto r = (*view)->request_retry(id); !r) return r;
  audit(actor, "queue_retry", "queue_id=" + std::string(id));
  return {};
}

Result<void> Admin::delete_queued(const Actor& actor, std::string_view id) {
  auto view = queue_for_change(actor, id);
  if (!view) return view.error();
  if (auto r = (*view)->remove(id); !r) return r;
  audit(actor, "queue_deleted", "queue_id=" + std::string(id));
  return {};
}

}  // namespace herald::admin
