// bench::LoadGenerator — the engine of `herald bench`: many concurrent SMTP
// client sessions (plain, STARTTLS or implicit TLS, AUTH PLAIN) submitting
// a fixed number of messages, timing each step. A load tool, not a mail
// client: it trusts any certificate and sends the same message repeatedly.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::bench {

enum class TlsMode { none, starttls, implicit };

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 587;
  TlsMode tls = TlsMode::starttls;
  std::string user;  // AUTH PLAIN when non-empty
  std::string password;
  std::string from;  // default: user
  std::string to = "bench@example.net";
  std::size_t sessions = 16;             // concurrent connections
  std::size_t messages = 1000;           // in total
  std::size_t messages_per_session = 1;  // then QUIT and reconnect
  std::size_t size = 10 * 1024;          // message bytes
  std::size_t threads = 1;
  std::chrono::seconds timeout{60};  // per operation
  // Idle mode: open `sessions` connections, get each through EHLO (and
  // TLS), hold them `hold` long, send nothing.
  bool idle = false;
  std::chrono::seconds hold{10};
};

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;  // milliseconds
};

struct Report {
  std::size_t messages_ok = 0;
  std::size_t messages_failed = 0;
  std::size_t connections = 0;
  double seconds = 0;
  double messages_per_second = 0;
  Percentiles acceptance;                     // end of data → 250
  Percentiles setup;                          // connect → ready to send (TLS + AUTH)
  std::map<std::string, std::size_t> errors;  // reply code or error kind → count
  std::size_t idle_open = 0;                  // idle mode: sessions held open
};

base::Result<Report> run(const Options& options);

std::string format_report(const Options& options, const Report& report);
std::string report_json(const Options& options, const Report& report);

// Percentiles of a sample (sorted in place).
Percentiles percentiles(std::vector<double>& samples);

}  // namespace herald::bench
