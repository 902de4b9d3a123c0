#include "herald/net/watchdog.hpp"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>
#include <string>

#include "herald/net/smtp_stream.hpp"

namespace herald::net {
namespace {

using namespace std::chrono_literals;

TEST(Watchdog, FiresAtTheDeadlineAndAgainWhenRearmed) {
  asio::io_context io;
  int fired = 0;
  auto w = Watchdog::start(io.get_executor(), [&] { ++fired; });
  w->arm(20ms);
  io.run_for(200ms);
  EXPECT_EQ(fired, 1);
  EXPECT_TRUE(w->fired());
  EXPECT_EQ(w->deadline(), Watchdog::Clock::time_point::max());  // not again by itself
  io.restart();
  w->arm(20ms);
  io.run_for(200ms);
  EXPECT_EQ(fired, 2);
  w->stop();
}

TEST(Watchdog, ALaterDeadlineIsKeptAndAnEarlierOneWakesTheTimer) {
  asio::io_context io;
  int fired = 0;
  auto w = Watchdog::start(io.get_executor(), [&] { ++fired; });
  w->arm(1h);
  io.run_for(30ms);
  w->arm(10ms);  // earlier: must not wait for the hour
  io.run_for(200ms);
  EXPECT_EQ(fired, 1);
  io.restart();
  w->arm(50ms);
  w->arm(1h);  // pushed out before it passed
  io.run_for(150ms);
  EXPECT_EQ(fired, 1);
  w->stop();
}

TEST(Watchdog, StopMeansTheCallbackNeverRuns) {
  asio::io_context io;
  int fired = 0;
  auto w = Watchdog::start(io.get_executor(), [&] { ++fired; });
  w->arm(10ms);
  w->stop();
  io.run_for(100ms);
  EXPECT_EQ(fired, 0);
}

// The race the sticky cancel closes: the deadline passes just as a read
// completes, so nothing is pending to abort. The next operation must fail
// at once instead of waiting without a deadline.
TEST(SmtpStream, CancelWithNothingPendingFailsTheNextOperation) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  SmtpStream stream(acceptor.accept(), nullptr);
  asio::write(client, asio::buffer(std::string("x")));

  stream.cancel();
  auto read = [&]() -> asio::awaitable<std::string> {
    char buf[16];
    try {
      const std::size_t n = co_await stream.read_some(buf, sizeof buf);
      co_return std::string(buf, n);
    } catch (const std::system_error& e) {
      co_return e.code() == asio::error::timed_out ? "timed out" : e.what();
    }
  };
  auto first = asio::co_spawn(io, read(), asio::use_future);
  io.run();
  EXPECT_EQ(first.get(), "timed out");

  stream.resume();  // a last reply under a fresh deadline may go out
  io.restart();
  auto second = asio::co_spawn(io, read(), asio::use_future);
  io.run();
  EXPECT_EQ(second.get(), "x");
}

}  // namespace
}  // namespace herald::net
