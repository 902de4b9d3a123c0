// Test helper for smtp::ClientProtocol: plays the delivery glue against a
// scripted server. Test-only; not part of the library.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "herald/smtp/client_protocol.hpp"
#include "herald/smtp/dot_stuffer.hpp"

namespace herald::smtp::testing_client {

inline ClientConfig config(TlsPolicy tls = TlsPolicy::opportunistic) {
  ClientConfig c;
  c.helo_name = "out.herald.test";
  c.tls = tls;
  return c;
}

inline ClientTransaction transaction(std::vector<std::string> rcpts,
                                     std::string sender = "alice@herald.test") {
  ClientTransaction tx;
  tx.sender = std::move(sender);
  for (std::string& r : rcpts) tx.recipients.push_back(ClientRecipient{std::move(r), "", ""});
  tx.size = 100;
  return tx;
}

class Driver {
 public:
  explicit Driver(ClientConfig c) : p(std::move(c)) {}

  // Feeds server bytes, then runs next() until the glue must act; returns
  // what the client wrote meanwhile.
  std::string feed(std::string_view server) {
    p.receive(server);
    return run();
  }

  std::string run() {
    events.clear();
    while (true) {
      last = p.next();
      events.push_back(last.kind);
      if (last.kind != ClientEventKind::transaction_done) break;
    }
    std::string out = p.take_output();
    wire += out;
    return out;
  }

  // The glue's send_body step: the message through a DotStuffer.
  std::string send_body(std::string_view message) {
    EXPECT_EQ(last.kind, ClientEventKind::send_body);
    DotStuffer stuffer;
    std::string out;
    stuffer.feed(message, out);
    stuffer.finish(out);
    wire += out;
    p.body_sent();
    return out + run();
  }

  bool saw(ClientEventKind kind) const {
    for (ClientEventKind k : events) {
      if (k == kind) return true;
    }
    return false;
  }

  RecipientStatus status(std::size_t i) const { return p.results().at(i).status; }
  const Outcome& outcome(std::size_t i) const { return p.results().at(i).outcome; }

  ClientProtocol p;
  std::string wire;  // everything the client wrote
  std::vector<ClientEventKind> events;
  ClientEvent last;
};

inline constexpr std::string_view kBanner = "220 mx.remote.test ESMTP\r\n";
inline constexpr std::string_view kEhloPlain = "250-mx.remote.test\r\n250 SIZE 1000000\r\n";
inline constexpr std::string_view kEhloPipelining =
    "250-mx.remote.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 1000000\r\n";

}  // namespace herald::smtp::testing_client
