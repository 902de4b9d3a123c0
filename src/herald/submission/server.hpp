// submission::Server — builds the running server from a Config: store,
// credential verifier, spool, TLS, I/O threads and listeners; handles
// SIGTERM/SIGINT (graceful stop) and SIGHUP (certificate reload).
#pragma once

#include "herald/base/result.hpp"
#include "herald/config/config.hpp"

namespace herald::submission {

// What this build can serve of a valid config (some SPEC mechanisms come
// in later versions); `check-config` and `serve` both ask.
base::Result<void> check_supported(const config::Config& config);

// Runs until a stop signal. Returns an error if start-up fails.
base::Result<void> serve(const config::Config& config);

}  // namespace herald::submission
