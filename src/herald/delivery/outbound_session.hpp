// delivery::outbound_session — one outbound SMTP connection: connect, then
// drive smtp::ClientProtocol over a net::SmtpStream for one or more queued
// messages to the same destination (connection reuse), streaming each body
// through the dot-stuffer. Every wait has a deadline. It decides nothing
// about retries or bounces: it only reports what happened per recipient.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "herald/smtp/client_protocol.hpp"
#include "herald/spool/envelope.hpp"

namespace herald::delivery {

// Where to connect and how to secure it.
struct OutboundTarget {
  std::string host;  // name for logs, SNI and certificate checks
  asio::ip::address address;
  std::uint16_t port = 25;
  bool implicit_tls = false;  // smarthost on 465
  smtp::TlsPolicy tls = smtp::TlsPolicy::opportunistic;
  std::shared_ptr<asio::ssl::context> tls_context;
  // Sets SNI, verification and DANE on each new SSL; false aborts.
  std::function<bool(SSL*)> configure_tls;
  std::optional<smtp::ClientCredentials> credentials;
};

// One queued message and which of its recipients go to this destination.
struct OutboundMessage {
  const spool::Envelope* envelope = nullptr;
  std::string body_path;
  std::vector<std::size_t> recipients;  // indices into envelope->recipients
};

struct OutboundResult {
  bool connected = false;  // the TCP connection was made
  std::string tls;         // "TLSv1.3 TLS_AES_256_GCM_SHA384", empty without TLS
  // Why the session ended early (connect, banner, TLS...); nullopt when
  // every message got its transaction.
  std::optional<smtp::Outcome> session_failure;
  // Per message (same order): per recipient (same order as its
  // `recipients`). Empty for a message that was never attempted.
  std::vector<std::vector<smtp::RecipientResult>> results;
};

struct OutboundOptions {
  std::string helo_name;
  std::chrono::seconds connect_timeout{30};
  // Tests shorten RFC 5321's minutes; 0 keeps the protocol's own values.
  std::chrono::seconds max_wait{0};
};

// References must stay valid until the coroutine completes.
asio::awaitable<OutboundResult> deliver_messages(const OutboundTarget& target,
                                                 const std::vector<OutboundMessage>& messages,
                                                 const OutboundOptions& options);

}  // namespace herald::delivery
