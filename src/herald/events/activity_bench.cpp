// activity_bench — what recording message activity costs in the store:
// records N messages through events::ActivityRecorder (received, signed,
// one delivered attempt each, as the server would), then reports the
// store's growth per 100k messages, the recording rate, and how long
// pruning them all takes. Not a test, not installed:
//   build/release/src/herald/events/activity_bench [MESSAGES] [DIR]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "herald/events/activity_recorder.hpp"
#include "herald/store/store.hpp"

using namespace herald;
namespace fs = std::filesystem;

namespace {

std::uintmax_t db_size(const fs::path& dir) {
  std::uintmax_t total = 0;
  for (const char* f : {"herald.db", "herald.db-wal"}) {
    std::error_code ec;
    const auto s = fs::file_size(dir / f, ec);
    if (!ec) total += s;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000;
  const fs::path dir = argc > 2 ? fs::path(argv[2])
                                : fs::temp_directory_path() /
                                      ("herald-activity-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto opened = store::Store::open((dir / "herald.db").string());
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  store::Store& s = *opened;
  if (!s.add_account("acme", std::nullopt)) return 1;
  const auto before = db_size(dir);
  const auto t0 = std::chrono::steady_clock::now();
  {
    // Retention long enough that nothing is pruned while recording.
    // A queue large enough for the whole run: this loop outpaces any server.
    events::ActivityRecorder recorder(s, std::chrono::hours(24 * 365),
                                      std::chrono::milliseconds(200), 4 * 300000 + 16);
    for (long i = 0; i < n; ++i) {
      const std::string id = "bench" + std::to_string(i);
      auto r = events::new_event("received", id, "acme");
      r.sender = "app@acme.example";
      r.identity = "app@acme.example";
      r.client_ip = "192.0.2.10";
      r.size = 12000;
      r.recipients = {"customer" + std::to_string(i % 5000) + "@example.net"};
      r.detail = R"({"helo":"client.example","tls":"TLSv1.3 TLS_AES_256_GCM_SHA384"})";
      recorder.record(std::move(r));
      auto sig = events::new_event("signed", id, "acme");
      sig.detail = R"({"d":"acme.example","s":"herald202612-rsa, herald202612-ed"})";
      recorder.record(std::move(sig));
      auto d = events::new_event("delivered", id, "acme");
      d.recipient = "customer" + std::to_string(i % 5000) + "@example.net";
      d.detail = R"({"host":"mx.example.net [192.0.2.25]","tls":"TLSv1.3 TLS_AES_256_GCM_SHA384",)"
                 R"("reply":"250 2.0.0 Ok: queued as 4Xyz","code":250,"enhanced":"2.0.0",)"
                 R"("from_remote":true,"attempt":1,"next_attempt":null})";
      recorder.record(std::move(d));
    }
    recorder.stop();
  }
  const double record_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto after = db_size(dir);
  const double per_100k = static_cast<double>(after - before) * 100000.0 / static_cast<double>(n);
  const auto t1 = std::chrono::steady_clock::now();
  const std::int64_t far_future = 4'000'000'000;
  auto pruned = s.prune_activity(far_future, 0);
  const double prune_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  std::printf(
      "messages=%ld events=%ld record_seconds=%.2f messages_per_second=%.0f\n"
      "store_growth_bytes=%ju per_100k_messages_MiB=%.1f\n"
      "pruned=%lld prune_seconds=%.2f\n",
      n, n * 3, record_s, static_cast<double>(n) / record_s,
      static_cast<std::uintmax_t>(after - before), per_100k / (1024.0 * 1024.0),
      static_cast<long long>(pruned ? *pruned : -1), prune_s);
  if (argc <= 2) fs::remove_all(dir);
  return 0;
}
