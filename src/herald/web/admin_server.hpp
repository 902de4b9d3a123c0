// web::AdminServer — the HTTPS listener on [admin] address: /api/v1 (admin
// tokens), /metrics (token or metrics_allow_ip). It owns its own I/O thread
// and a small worker pool for the blocking handlers, so nothing it does
// ever runs on an SMTP I/O thread. It checks allow_ip before reading a
// byte, bounds connections, header and body sizes and every wait, and locks
// out addresses that keep sending wrong tokens. It must not hold any
// administrative logic of its own (admin::Admin does).
#pragma once

#include <functional>
#include <memory>

#include "herald/base/result.hpp"
#include "herald/config/config.hpp"
#include "herald/dns/resolver.hpp"
#include "herald/metrics/registry.hpp"
#include "herald/store/store.hpp"

namespace herald::web {

class AdminServer {
 public:
  // Binds and starts serving; an error when the address or the certificate
  // cannot be used. `metrics` may be null (then /metrics is 404).
  // `before_scrape` runs (on a worker) before each /metrics render, to
  // refresh gauges read on demand (free disk). `resolver` (kept by the
  // caller; may be null) answers domain checks.
  static base::Result<std::unique_ptr<AdminServer>> start(const config::Config& config,
                                                          store::AdminStore& store,
                                                          const metrics::Registry* metrics,
                                                          std::function<void()> before_scrape = {},
                                                          dns::Resolver* resolver = nullptr);
  ~AdminServer();

  // SIGHUP: new connections use the certificate on disk now.
  void reload_tls();
  // Stops accepting, closes connections, waits for the threads.
  void stop();

  struct Impl;

 private:
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::web
