// net::IoPool — one io_context per thread. A connection is handed to one
// context and stays there for its whole life, so a session needs no locks.
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace herald::net {

class IoPool {
 public:
  explicit IoPool(std::size_t threads);
  ~IoPool();

  // Round-robin choice for the next connection.
  asio::io_context& next();
  asio::io_context& first() { return *contexts_.front(); }

  void run();   // starts the threads (returns at once)
  void stop();  // stops every context
  void join();

 private:
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace herald::net
