// submission::Session — one client connection: the I/O glue between the
// socket and smtp::ServerProtocol, asking auth, policy and the spool for
// each decision. It holds no protocol logic of its own; every wait has a
// deadline and every per-client resource a limit.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "herald/auth/cram_md5.hpp"
#include "herald/auth/lockout.hpp"
#include "herald/auth/sasl_mechanism.hpp"
#include "herald/auth/sasl_oauth.hpp"
#include "herald/auth/scram.hpp"
#include "herald/config/config.hpp"
#include "herald/dkim/canonicalization.hpp"
#include "herald/mail/header_block.hpp"
#include "herald/net/await_callback.hpp"
#include "herald/net/connection_limiter.hpp"
#include "herald/net/smtp_stream.hpp"
#include "herald/net/watchdog.hpp"
#include "herald/policy/sender_policy.hpp"
#include "herald/smtp/server_protocol.hpp"
#include "herald/spool/spool.hpp"
#include "herald/submission/context.hpp"

namespace herald::submission {

using net::await_callback;
using net::run_blocking;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Context& context, const config::Listener& listener, asio::ip::tcp::socket socket,
          net::ConnectionLimiter::Slot slot);

  // Starts the session coroutine and its deadline watchdog.
  static void start(std::shared_ptr<Session> session);

  // Server stopping: an idle session says 421 and closes now; one in the
  // middle of a message finishes it first. Thread-safe.
  static void request_stop(std::shared_ptr<Session> session);

  // The server entered stress mode: a session waiting for a command (or
  // in a handshake) gets at most the stress deadline from now, so idle and
  // trickling connections that started earlier give their slots back too.
  // Message content keeps its rate deadline. Thread-safe.
  static void apply_stress(std::shared_ptr<Session> session);
  ~Session();

 private:
  asio::awaitable<void> run();
  asio::awaitable<void> flush();
  asio::awaitable<bool> read_more();
  asio::awaitable<void> handle(smtp::Event& event);
  // AUTH (session_auth.cpp).
  struct AuthOutcome {
    bool ok = false;
    policy::Identity identity;
    std::string lock_name;  // the name lockout counts: login, or apikey:<id>
    std::string reason;     // for the log and audit trail; never a secret
    auth::Lockout::Status locked;
  };
  asio::awaitable<void> begin_auth(const smtp::Event& event);
  asio::awaitable<void> continue_auth(const smtp::Event& event);
  asio::awaitable<void> handle_sasl_step(auth::SaslStep step);
  asio::awaitable<void> handle_scram_step(auth::ScramStep step);
  asio::awaitable<void> handle_oauth_step(auth::OauthStep step);
  asio::awaitable<void> handle_cram_step(auth::CramMd5Step step);
  asio::awaitable<void> finish_auth(AuthOutcome outcome);
  // The failure half of finish_auth (floor, log, audit, lockout count);
  // returns the reply to send, which OAuth sends after its error challenge.
  asio::awaitable<smtp::Reply> account_auth_failure(AuthOutcome outcome);
  // An attempt refused by a lockout: counted, and audited when it is the
  // first from this address or a milestone count.
  void note_locked_refusal(const std::string& name, const auth::Lockout::Status& locked);
  void sasl_failed(const auth::SaslFailure& failure);
  // What every mechanism's step can be: a challenge to relay, or a
  // malformed exchange. True when `step` was one of these (handled).
  template <class Step>
  bool relay_challenge_or_failure(const Step& step) {
    if (auto* challenge = std::get_if<auth::SaslChallenge>(&step)) {
      protocol_.auth_challenge(challenge->b64);
      return true;
    }
    if (auto* failure = std::get_if<auth::SaslFailure>(&step)) {
      sasl_failed(*failure);
      return true;
    }
    return false;
  }
  // RFC 9266 tls-exporter channel binding (session_auth.cpp).
  void note_tls_channel_binding();
  std::string tls_exporter();
  bool plus_configured() const;
  asio::awaitable<void> handle_mail(const smtp::Event& event);
  asio::awaitable<void> handle_rcpt(const smtp::Event& event);
  // The store's answers for MAIL and RCPT: from ctx_.policy_cache when the
  // store has not changed since, otherwise read on a worker.
  asio::awaitable<base::Result<store::AccountPolicy>> account_policy(const std::string& account);
  asio::awaitable<base::Result<std::optional<store::Suppression>>> find_suppression(
      const std::string& address);
  void handle_data_begin(const smtp::Event& event);
  // Counts one message or recipient against the client IP's and the
  // account's hourly limits; the reply when one is exhausted.
  std::optional<smtp::Reply> take_rate(std::string_view what, std::uint64_t n);
  asio::awaitable<void> handle_data_end(const smtp::Event& event);
  void reset_transaction();
  smtp::Reply lockout_reply(const auth::Lockout::Status& locked) const;
  std::string received_header(const std::string& queue_id) const;
  // Header checks and DKIM at end of data (session_message.cpp).
  std::optional<smtp::Reply> check_headers();
  asio::awaitable<std::optional<smtp::Reply>> sign_message(spool::Envelope& envelope);
  void arm(std::chrono::steady_clock::duration timeout, const char* what);
  void set_deadline(std::chrono::steady_clock::time_point deadline, const char* what);
  // The deadline for the next read, from where the input stands: a whole
  // command line within command_timeout (shorter under stress), message
  // content at min_data_rate.
  void arm_for_read(smtp::ServerProtocol::InputState state);
  // After a read of `n` octets of message content: the data deadline moves
  // n / min_data_rate later, at most data_timeout past now.
  void credit_data(std::size_t n);
  std::chrono::seconds command_timeout() const;
  void count_message(metrics::MessageResult result);
  void count_auth(metrics::AuthResult result);
  std::chrono::seconds handshake_timeout() const;

  Context& ctx_;
  const config::Listener& listener_;
  net::ConnectionLimiter::Slot slot_;
  net::SmtpStream stream_;
  smtp::ServerProtocol protocol_;
  std::shared_ptr<net::Watchdog> watchdog_;  // started with the session
  const char* deadline_for_ = "command";     // what the deadline limits, for the log
  // Set while a command line is awaited or arriving; reset between lines.
  std::optional<std::chrono::steady_clock::time_point> line_deadline_;
  // Set while message content is arriving; reset when it ends.
  std::optional<std::chrono::steady_clock::time_point> data_deadline_;
  std::chrono::steady_clock::time_point started_;
  bool done_ = false;
  bool timed_out_ = false;
  // A TLS handshake is under way: a reply in clear text now would only
  // confuse a client that is speaking TLS, so a timeout just closes.
  bool in_handshake_ = false;
  bool stopping_ = false;   // server shutdown requested
  bool idle_read_ = false;  // waiting for a command, no transaction open

  std::string id_;  // for log correlation
  std::string client_ip_;
  std::string tls_description_;
  std::string signed_selectors_;  // of the message being received, for its activity
  bool channel_binding_ = false;  // TLS 1.3: -PLUS mechanisms offered
  std::vector<char> buffer_;

  // Authentication.
  std::unique_ptr<auth::SaslServer> sasl_;
  std::unique_ptr<auth::ScramServer> scram_;
  std::unique_ptr<auth::OauthServer> oauth_;
  std::unique_ptr<auth::SaslCramMd5> cram_;
  std::string scram_username_;
  std::optional<policy::Identity> scram_login_;
  std::string sasl_mechanism_;
  std::chrono::steady_clock::time_point auth_started_;
  std::optional<policy::Identity> identity_;

  // The current transaction.
  std::string mail_from_;
  smtp::MailParameters mail_params_;
  std::vector<std::string> recipients_;
  std::vector<smtp::RcptParameters> rcpt_params_;  // DSN NOTIFY/ORCPT, one per recipient
  std::unique_ptr<spool::MessageWriter> writer_;
  std::optional<mail::HeaderBlock> headers_;
  std::optional<dkim::RelaxedBodyHasher> body_hasher_;  // authenticated messages only
  std::string from_domain_;  // of the header From, once check_headers passed
  // The store's policy version at MAIL (see PolicyCache); nullopt: unknown.
  std::optional<std::uint64_t> store_version_;
  bool write_failed_ = false;
  int messages_ = 0;
};

}  // namespace herald::submission
