// net::Listener — binds one address and accepts connections, handing each
// socket (already placed on one of the pool's io_contexts) to a handler.
#pragma once

#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "herald/base/result.hpp"
#include "herald/net/io_pool.hpp"

namespace herald::net {

class Listener {
 public:
  using Handler = std::function<void(asio::ip::tcp::socket)>;

  static base::Result<std::unique_ptr<Listener>> open(IoPool& pool, const std::string& host,
                                                      std::uint16_t port, Handler handler);
  void start();
  void stop();  // stops accepting; running sessions continue

 private:
  Listener(IoPool& pool, Handler handler);

  IoPool& pool_;
  Handler handler_;
  asio::ip::tcp::acceptor acceptor_;
};

}  // namespace herald::net
