// dns::UnboundResolver — libunbound in threaded async mode. Every ub_* call
// after setup happens on the resolver's own io_context thread, so the
// pending table needs no lock; ub_fd() readiness drives ub_process().
#include "herald/dns/unbound_resolver.hpp"

#include <unbound.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <fstream>
#include <thread>
#include <unordered_map>

#include "herald/dns/rdata.hpp"

namespace herald::dns {

namespace {

constexpr int kClassIn = 1;
constexpr int kRcodeNxdomain = 3;

std::string rcode_name(int rcode) {
  switch (rcode) {
    case 1:
      return "FORMERR";
    case 2:
      return "SERVFAIL";
    case 4:
      return "NOTIMP";
    case 5:
      return "REFUSED";
    default:
      return "rcode " + std::to_string(rcode);
  }
}

}  // namespace

Answer to_answer(const UnboundOutcome& outcome, std::string_view name, RecordType type) {
  const std::string what = std::string(to_string(type)) + " lookup of " + std::string(name);
  if (outcome.error != 0) {
    // A name unbound cannot even encode will never exist: answering
    // nxdomain keeps delivery from retrying it for days.
    if (outcome.error == UB_SYNTAX) return make_failure(Status::nxdomain, what + ": invalid name");
    return make_failure(Status::temporary_failure, what + " failed: " + outcome.error_text);
  }
  if (outcome.bogus) {
    return make_failure(Status::bogus,
                        what + " failed DNSSEC validation" +
                            (outcome.why_bogus.empty() ? "" : ": " + outcome.why_bogus));
  }
  Answer answer;
  answer.secure = outcome.secure;
  if (outcome.nxdomain || outcome.rcode == kRcodeNxdomain) {
    answer.status = Status::nxdomain;
    answer.reason = what + ": no such domain";
    return answer;
  }
  if (outcome.rcode != 0) {
    return make_failure(Status::temporary_failure,
                        what + ": DNS server answered " + rcode_name(outcome.rcode));
  }
  if (!outcome.havedata || outcome.rdata.empty()) {
    answer.status = Status::nodata;
    answer.reason = what + ": no " + std::string(to_string(type)) + " record";
    return answer;
  }
  answer.status = Status::ok;
  for (const auto& rdata : outcome.rdata) {
    // One unreadable record makes the whole set suspect; failing it
    // temporarily is safer than acting on the rest.
    if (auto added = append_rdata(type, rdata, answer); !added) {
      return make_failure(Status::temporary_failure,
                          what + ": malformed record: " + added.error().message);
    }
  }
  return answer;
}

struct UnboundResolver::Impl {
  struct Pending {
    Impl* impl;
    std::uint64_t id;
    int async_id = 0;
    std::string name;
    RecordType type;
    Callback done;
    asio::steady_timer timer;
  };

  explicit Impl(ub_ctx* c, std::chrono::milliseconds t)
      : ctx(c), timeout(t), fd(io, ub_fd(c)), guard(io.get_executor()) {}

  ~Impl() {
    fd.release();  // ub_ctx_delete closes it
    ub_ctx_delete(ctx);
  }

  void watch() {
    fd.async_wait(asio::posix::stream_descriptor::wait_read, [this](asio::error_code ec) {
      if (ec) return;  // cancelled at shutdown
      // ub_process drains the pipe (non-blocking reads until empty), so an
      // edge-triggered reactor cannot miss an answer.
      ub_process(ctx);
      watch();
    });
  }

  void start(std::string name, RecordType type, Callback done) {
    if (stopping) {
      done(make_failure(Status::temporary_failure, "DNS resolver is shutting down"));
      return;
    }
    const std::uint64_t id = next_id++;
    auto owned = std::make_unique<Pending>(
        Pending{this, id, 0, std::move(name), type, std::move(done), asio::steady_timer(io)});
    Pending* p = owned.get();
    const int err = ub_resolve_async(ctx, p->name.c_str(), static_cast<int>(type), kClassIn, p,
                                     &Impl::on_result, &p->async_id);
    if (err != 0) {
      UnboundOutcome failed{err, ub_strerror(err)};
      p->done(to_answer(failed, p->name, type));
      return;
    }
    p->timer.expires_after(timeout);
    p->timer.async_wait([this, id](asio::error_code ec) {
      if (!ec) expire(id);
    });
    pending.emplace(id, std::move(owned));
  }

  // Called by ub_process on this thread; `mydata` stays valid because a
  // Pending is only freed here or after ub_cancel (which drops the callback).
  static void on_result(void* mydata, int err, ub_result* result) {
    auto* p = static_cast<Pending*>(mydata);
    UnboundOutcome outcome;
    outcome.error = err;
    if (err != 0) {
      outcome.error_text = ub_strerror(err);
    } else if (result != nullptr) {
      outcome.rcode = result->rcode;
      outcome.havedata = result->havedata != 0;
      outcome.nxdomain = result->nxdomain != 0;
      outcome.secure = result->secure != 0;
      outcome.bogus = result->bogus != 0;
      if (result->why_bogus != nullptr) outcome.why_bogus = result->why_bogus;
      for (int i = 0; result->data != nullptr && result->data[i] != nullptr; ++i) {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(result->data[i]);
        outcome.rdata.emplace_back(bytes, bytes + result->len[i]);
      }
    }
    if (result != nullptr) ub_resolve_free(result);
    p->impl->finish(p->id, to_answer(outcome, p->name, p->type));
  }

  void finish(std::uint64_t id, Answer answer) {
    auto it = pending.find(id);
    if (it == pending.end()) return;
    std::unique_ptr<Pending> p = std::move(it->second);
    pending.erase(it);
    p->timer.cancel();
    p->done(std::move(answer));
  }

  void expire(std::uint64_t id) {
    auto it = pending.find(id);
    if (it == pending.end()) return;
    ub_cancel(ctx, it->second->async_id);
    const Pending& p = *it->second;
    finish(id, make_failure(Status::temporary_failure,
                            std::string(to_string(p.type)) + " lookup of " + p.name +
                                " timed out after " + std::to_string(timeout.count()) + " ms"));
  }

  void shutdown() {
    stopping = true;
    fd.cancel();
    while (!pending.empty()) {
      const std::uint64_t id = pending.begin()->first;
      ub_cancel(ctx, pending.begin()->second->async_id);
      finish(id, make_failure(Status::temporary_failure, "DNS resolver is shutting down"));
    }
  }

  ub_ctx* ctx;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  asio::posix::stream_descriptor fd;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::thread thread;
  std::unordered_map<std::uint64_t, std::unique_ptr<Pending>> pending;
  std::uint64_t next_id = 1;
  bool stopping = false;
};

namespace {

base::Result<void> check(int err, const std::string& what) {
  if (err == 0) return {};
  return base::make_error("DNS resolver: " + what + ": " + ub_strerror(err));
}

base::Result<void> configure(ub_ctx* ctx, const UnboundOptions& options) {
  // Threads, not the default forked process: forking a multi-threaded
  // server is unsafe, and a thread shares our lifetime.
  if (auto ok = check(ub_ctx_async(ctx, 1), "cannot enable threads"); !ok) return ok;
  if (options.forwarder_host.empty()) {
    if (auto ok = check(ub_ctx_resolvconf(ctx, nullptr), "cannot read /etc/resolv.conf"); !ok) {
      return ok;
    }
    if (auto ok = check(ub_ctx_hosts(ctx, nullptr), "cannot read /etc/hosts"); !ok) return ok;
  } else {
    const std::string target =
        options.forwarder_host + "@" + std::to_string(options.forwarder_port);
    if (auto ok = check(ub_ctx_set_fwd(ctx, target.c_str()), "bad resolver " + target); !ok) {
      return ok;
    }
  }
  // We only ever send queries to configured forwarders (or resolv.conf's),
  // and those are often local (127.0.0.53, a local unbound, a test server).
  if (auto ok = check(ub_ctx_set_option(ctx, "do-not-query-localhost:", "no"),
                      "cannot allow a local resolver");
      !ok) {
    return ok;
  }
  if (!options.trust_anchor_file.empty()) {
    // libunbound only reads the file when the context is finalized, and
    // then says just "initialization failure": check it here by name.
    if (std::ifstream probe(options.trust_anchor_file); !probe) {
      return base::make_error("DNS resolver: cannot read trust anchor " +
                              options.trust_anchor_file);
    }
    if (auto ok = check(ub_ctx_add_ta_file(ctx, options.trust_anchor_file.c_str()),
                        "cannot load trust anchor " + options.trust_anchor_file);
        !ok) {
      return ok;
    }
  }
  for (const auto& [name, value] : options.options) {
    if (auto ok = check(ub_ctx_set_option(ctx, name.c_str(), value.c_str()), "option " + name);
        !ok) {
      return ok;
    }
  }
  // unbound answers NXDOMAIN for "test." itself (RFC 6761 §6.2). With an
  // explicitly configured resolver the operator decides what .test means
  // (test setups run a DNS server for it), so let those queries through.
  // Last: adding a zone finalizes the context, after which options fail.
  if (!options.forwarder_host.empty()) {
    if (auto ok = check(ub_ctx_zone_add(ctx, "test.", "transparent"), "cannot set up"); !ok) {
      return ok;
    }
  }
  // Finalize now (removing a zone that does not exist does just that), so
  // a broken trust anchor fails at startup instead of on the first lookup.
  return check(ub_ctx_zone_remove(ctx, "finalize.herald.invalid."),
               "cannot set up (see the libunbound errors above)");
}

}  // namespace

base::Result<std::unique_ptr<UnboundResolver>> UnboundResolver::create(UnboundOptions options) {
  ub_ctx* ctx = ub_ctx_create();
  if (ctx == nullptr) return base::make_error("DNS resolver: cannot create a libunbound context");
  if (auto ok = configure(ctx, options); !ok) {
    ub_ctx_delete(ctx);
    return ok.error();
  }
  if (ub_fd(ctx) < 0) {
    ub_ctx_delete(ctx);
    return base::make_error("DNS resolver: libunbound has no file descriptor to watch");
  }
  auto impl = std::make_unique<Impl>(ctx, options.timeout);
  Impl* raw = impl.get();
  raw->watch();
  raw->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<UnboundResolver>(new UnboundResolver(std::move(impl)));
}

UnboundResolver::UnboundResolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

UnboundResolver::~UnboundResolver() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->shutdown(); });
  impl_->guard.reset();
  impl_->thread.join();
}

void UnboundResolver::lookup(std::string name, RecordType type, Callback done) {
  asio::post(impl_->io,
             [impl = impl_.get(), n = std::move(name), type, d = std::move(done)]() mutable {
               impl->start(std::move(n), type, std::move(d));
             });
}

}  // namespace herald::dns
