// submission::Server — builds the running server from a Config: store,
// credential verifier, spool, TLS, I/O threads and listeners; handles
// SIGTERM/SIGINT (graceful stop) and SIGHUP (certificate reload).
#pragma once

#include <functional>
#include <memory>

#include "herald/base/result.hpp"
#include "herald/config/config.hpp"
#include "herald/events/activity_recorder.hpp"
#include "herald/metrics/herald_metrics.hpp"
#include "herald/spool/spool.hpp"
#include "herald/store/store.hpp"

namespace herald::submission {

// What this build can serve of a valid config (some SPEC mechanisms come
// in later versions); `check-config` and `serve` both ask.
base::Result<void> check_supported(const config::Config& config);

// Something that runs beside the listeners (outbound delivery), started
// once the store and spool are open and stopped after the last session,
// before they close. Submission never depends on what it is.
class Service {
 public:
  virtual ~Service() = default;
  virtual void stop() = 0;
  // SIGHUP: re-read what can change on disk (certificates).
  virtual void reload() {}
};
using ServiceFactory = std::function<base::Result<std::unique_ptr<Service>>(
    spool::Spool&, store::Store&, events::ActivityRecorder&)>;

// Runs until a stop signal. Returns an error if start-up fails.
// `metrics`: counters the sessions update (may be null).
base::Result<void> serve(const config::Config& config, const ServiceFactory& services = {},
                         metrics::HeraldMetrics* metrics = nullptr);

}  // namespace herald::submission
