// spool_bench — measures durable commits per second with N concurrent
// "sessions" each waiting for its 250 before the next message, as real
// clients do. A measuring tool only; it must not be shipped or run in CI.
//
//   spool_bench [data_dir] [threads=16] [messages_per_thread=200] [body_bytes=4096]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "herald/spool/spool.hpp"

using namespace herald;

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "/tmp/herald-spool-bench";
  int threads = argc > 2 ? std::atoi(argv[2]) : 16;
  int per_thread = argc > 3 ? std::atoi(argv[3]) : 200;
  std::size_t body_bytes = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 4096;
  std::filesystem::remove_all(dir + "/spool");

  auto spool = spool::Spool::open(dir);
  if (!spool.ok()) {
    std::fprintf(stderr, "%s\n", spool.error().message.c_str());
    return 1;
  }
  const std::string body(body_bytes, 'x');
  std::atomic<int> failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        auto w = (*spool)->create();
        if (!w.ok() || !(*w)->write(body).ok()) {
          ++failures;
          continue;
        }
        std::promise<bool> done;
        spool::Envelope e;
        e.mail_from = "bench@example.org";
        e.recipients = {{"sink@example.com", "queued"}};
        (*spool)->commit(std::move(*w), e,
                         [&](base::Result<std::string> r) { done.set_value(r.ok()); });
        if (!done.get_future().get()) ++failures;
      }
    });
  }
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto stats = (*spool)->stats();
  std::printf(
      "threads=%d messages=%llu body=%zuB time=%.3fs commits/s=%.0f batches=%llu "
      "avg_batch=%.1f largest=%llu failures=%d\n",
      threads, static_cast<unsigned long long>(stats.commits.messages), body_bytes, seconds,
      static_cast<double>(stats.commits.messages) / seconds,
      static_cast<unsigned long long>(stats.commits.batches),
      static_cast<double>(stats.commits.messages) /
          static_cast<double>(std::max<std::uint64_t>(1, stats.commits.batches)),
      static_cast<unsigned long long>(stats.commits.largest_batch), failures.load());
  (*spool)->stop();
  std::filesystem::remove_all(dir + "/spool");
  return failures == 0 ? 0 : 1;
}
