// ClientProtocol's reply handlers: what each server reply means at each
// step (banner, EHLO and its extensions, STARTTLS, AUTH, the transaction)
// and which command follows. Framing and the glue calls are in
// client_protocol.cpp.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "herald/base/ascii.hpp"
#include "herald/base/base64.hpp"
#include "herald/smtp/client_protocol.hpp"

namespace herald::smtp {
namespace {

constexpr std::size_t kMaxAuthMechanisms = 32;

Outcome remote(const ServerReply& reply, Stage stage, bool permanent) {
  return Outcome{Reply{reply.code, reply.enhanced, reply.text()}, true, permanent, stage};
}

// MAIL, RCPT and DATA replies: 5xx bounces, everything else is retried
// (a 3xx where 2xx belongs is a broken server, not a verdict on the mail).
Outcome verdict(const ServerReply& reply, Stage stage) {
  return remote(reply, stage, reply.permanent());
}

std::uint64_t parse_size_limit(std::string_view s) {
  if (s.empty() || s.size() > 20) return 0;
  std::uint64_t v = 0;
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  for (char c : s) {
    if (c < '0' || c > '9') return 0;  // malformed: treat as "no limit declared"
    const auto d = static_cast<std::uint64_t>(c - '0');
    v = (v > (kMax - d) / 10) ? kMax : v * 10 + d;
  }
  return v;
}

// EHLO lines after the greeting: "KEYWORD params". Old servers write
// "AUTH=LOGIN PLAIN", so '=' also ends the keyword.
ServerExtensions parse_extensions(const ServerReply& reply) {
  ServerExtensions ext;
  ext.esmtp = true;
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const std::string_view line = reply.lines[i];
    const std::size_t end = line.find_first_of(" =");
    const std::string keyword = base::ascii_upper(line.substr(0, end));
    std::vector<std::string_view> params;
    std::size_t pos = end == std::string_view::npos ? line.size() : end + 1;
    while (pos < line.size()) {
      const std::size_t sp = line.find(' ', pos);
      const std::size_t stop = sp == std::string_view::npos ? line.size() : sp;
      if (stop > pos) params.push_back(line.substr(pos, stop - pos));
      pos = stop + 1;
    }
    if (keyword == "PIPELINING") {
      ext.pipelining = true;
    } else if (keyword == "SIZE") {
      ext.size = true;
      ext.max_size = params.empty() ? 0 : parse_size_limit(params.front());
    } else if (keyword == "8BITMIME") {
      ext.eight_bit_mime = true;
    } else if (keyword == "SMTPUTF8") {
      ext.smtputf8 = true;
    } else if (keyword == "STARTTLS") {
      ext.starttls = true;
    } else if (keyword == "DSN") {
      ext.dsn = true;
    } else if (keyword == "CHUNKING") {
      ext.chunking = true;
    } else if (keyword == "ENHANCEDSTATUSCODES") {
      ext.enhanced_status_codes = true;
    } else if (keyword == "AUTH") {
      for (std::string_view p : params) {
        std::string mech = base::ascii_upper(p);
        if (ext.auth.size() < kMaxAuthMechanisms &&
            std::find(ext.auth.begin(), ext.auth.end(), mech) == ext.auth.end()) {
          ext.auth.push_back(std::move(mech));
        }
      }
    }
  }
  return ext;
}

}  // namespace

void ClientProtocol::handle(const ServerReply& reply, Pending pending) {
  if (pending.expect == Expect::quit) {
    phase_ = Phase::ended;
    terminal_ = ClientEvent{ClientEventKind::closed, remote(reply, Stage::quit, false)};
    return push(terminal_);
  }
  if (reply.code == 421) {
    // The server is closing the channel (RFC 5321 §3.8): nothing more will
    // be answered, so no QUIT either.
    return fail_session(remote(reply, stage_of(pending.expect), false), false);
  }
  switch (pending.expect) {
    case Expect::banner:
      return handle_banner(reply);
    case Expect::ehlo:
      return handle_ehlo(reply, false);
    case Expect::helo:
      return handle_ehlo(reply, true);
    case Expect::starttls:
      return handle_starttls(reply);
    case Expect::auth_plain:
    case Expect::auth_login_user:
    case Expect::auth_login_password:
    case Expect::auth_final:
      return handle_auth(reply, pending.expect);
    case Expect::rset:
      if (!reply.positive()) return fail_session(remote(reply, Stage::rset, false), true);
      server_txn_open_ = false;
      return send_planned();
    case Expect::mail:
      return handle_mail(reply);
    case Expect::rcpt:
      return handle_rcpt(reply, pending.index);
    case Expect::data:
      return handle_data(reply);
    case Expect::data_end:
      return handle_data_end(reply);
    case Expect::quit:
      break;  // handled above
  }
}

// ---- session ----------------------------------------------------------------

void ClientProtocol::handle_banner(const ServerReply& reply) {
  if (!reply.positive()) {
    // RFC 5321 §3.1: after a 554 greeting the client should still QUIT.
    return fail_session(remote(reply, Stage::connect, reply.permanent()), true);
  }
  send_command("EHLO " + config_.helo_name + "\r\n", Pending{Expect::ehlo});
}

void ClientProtocol::handle_ehlo(const ServerReply& reply, bool helo) {
  if (reply.positive()) {
    ext_ = helo ? ServerExtensions{} : parse_extensions(reply);
    return after_tls_decision();
  }
  if (!helo && reply.permanent()) {
    // RFC 5321 §3.2: a server that does not know EHLO gets HELO, and then
    // no extension may be used.
    ext_ = ServerExtensions{};
    return send_command("HELO " + config_.helo_name + "\r\n", Pending{Expect::helo});
  }
  fail_session(remote(reply, Stage::ehlo, helo && reply.permanent()), true);
}

void ClientProtocol::after_tls_decision() {
  if (!tls_active_ && config_.tls != TlsPolicy::none) {
    if (ext_.starttls) {
      return send_command("STARTTLS\r\n", Pending{Expect::starttls});
    }
    if (config_.tls == TlsPolicy::required) {
      return fail_session(Outcome{{451, "4.7.4", "remote server does not offer STARTTLS"},
                                  false,
                                  false,
                                  Stage::starttls},
                          true);
    }
  }
  begin_auth();
}

void ClientProtocol::handle_starttls(const ServerReply& reply) {
  if (reply.code == 220) {
    // Anything already buffered was sent in plaintext after the 220: a
    // man in the middle's injected replies. Drop it (RFC 3207 §4.2).
    input_.clear();
    input_pos_ = 0;
    parser_.reset();
    phase_ = Phase::tls_wait;
    return;
  }
  if (config_.tls == TlsPolicy::required) {
    // Temporary even on 5xx: the mail is fine, this route is not.
    return fail_session(remote(reply, Stage::starttls, false), true);
  }
  begin_auth();  // opportunistic: carry on in plaintext
}

void ClientProtocol::begin_auth() {
  if (!config_.credentials) return session_ready();
  auto fail = [this](std::string text) {
    // Temporary: a configuration or remote problem, not the mail's fault.
    fail_session(Outcome{{451, "4.7.0", std::move(text)}, false, false, Stage::auth}, true);
  };
  if (!tls_active_) return fail("refusing to send credentials without TLS");
  const ClientCredentials& c = *config_.credentials;
  if (c.user.find('\0') != std::string::npos || c.password.find('\0') != std::string::npos) {
    return fail("configured credentials contain a NUL octet");
  }
  std::string chosen;
  for (const std::string& m : config_.auth_mechanisms) {
    const std::string mech = base::ascii_upper(m);
    if ((mech == "PLAIN" || mech == "LOGIN") &&
        std::find(ext_.auth.begin(), ext_.auth.end(), mech) != ext_.auth.end()) {
      chosen = mech;
      break;
    }
  }
  if (chosen.empty()) {
    std::string offered;
    for (const std::string& m : ext_.auth) offered += (offered.empty() ? "" : " ") + m;
    return fail("remote server offers no usable AUTH mechanism (offered: " +
                (offered.empty() ? std::string("none") : offered) + ")");
  }
  if (chosen == "PLAIN") {
    // RFC 4616 with an initial response (RFC 4954 §4): "\0user\0password".
    std::string message;
    message += '\0';
    message += c.user;
    message += '\0';
    message += c.password;
    send_command("AUTH PLAIN " + base::base64_encode(message) + "\r\n",
                 Pending{Expect::auth_plain});
  } else {
    send_command("AUTH LOGIN\r\n", Pending{Expect::auth_login_user});
  }
}

void ClientProtocol::handle_auth(const ServerReply& reply, Expect expect) {
  const bool challenge = reply.code == 334;
  if ((expect == Expect::auth_plain || expect == Expect::auth_final) && reply.positive()) {
    authenticated_ = true;
    return session_ready();
  }
  const ClientCredentials& c = *config_.credentials;
  if (challenge && expect == Expect::auth_login_user) {
    return send_command(base::base64_encode(c.user) + "\r\n", Pending{Expect::auth_login_password});
  }
  if (challenge && expect == Expect::auth_login_password) {
    return send_command(base::base64_encode(c.password) + "\r\n", Pending{Expect::auth_final});
  }
  // The server is mid-exchange after a 334: cancel it (RFC 4954 §4) so our
  // QUIT is read as a command, not as a SASL response.
  if (challenge) output_ += "*\r\n";
  // Temporary even on 535: a credentials problem is fixed in configuration,
  // and the mail should wait for that rather than bounce.
  fail_session(remote(reply, Stage::auth, false), true);
}

void ClientProtocol::session_ready() {
  phase_ = Phase::ready;
  if (tx_) return begin_transaction();
  if (quit_requested_) send_quit();
}

// ---- transaction ------------------------------------------------------------

void ClientProtocol::begin_transaction() {
  const ClientTransaction& tx = *tx_;
  mail_ok_ = false;
  mail_failure_.reset();
  accepted_ = 0;
  discard_data_ = false;
  plan_.clear();

  // Refusals Herald can make alone, before a command is spent on them.
  if (tx.smtputf8 && !ext_.smtputf8) {
    // RFC 6531 §3.5: no downgrade; the sender gets a DSN.
    fail_pending(
        Outcome{{553, "5.6.7", "message needs SMTPUTF8 but remote server does not offer it"},
                false,
                true,
                Stage::local});
    return finish_transaction();
  }
  if (ext_.size && ext_.max_size > 0 && tx.size > ext_.max_size) {
    fail_pending(Outcome{{552, "5.3.4",
                          "message too big for remote server (" + std::to_string(tx.size) +
                              " octets, limit " + std::to_string(ext_.max_size) + ")"},
                         false,
                         true,
                         Stage::local});
    return finish_transaction();
  }
  const bool anyone = std::any_of(results_.begin(), results_.end(), [](const RecipientResult& r) {
    return r.status == RecipientStatus::pending;
  });
  if (!anyone) return finish_transaction();

  if (server_txn_open_) plan_.push_back(Planned{Pending{Expect::rset}, "RSET\r\n"});
  std::string mail = "MAIL FROM:<" + tx.sender + ">";
  if (ext_.size && tx.size > 0) mail += " SIZE=" + std::to_string(tx.size);
  // An 8-bit body to a server without 8BITMIME goes as it is: RFC 6152 would
  // have us convert it to 7 bit, which Herald does not do (it would break
  // DKIM signatures, and nearly every server takes 8-bit anyway).
  if (tx.eight_bit && ext_.eight_bit_mime) mail += " BODY=8BITMIME";
  if (tx.smtputf8) mail += " SMTPUTF8";
  if (ext_.dsn && !tx.ret.empty()) mail += " RET=" + tx.ret;
  if (ext_.dsn && !tx.envid.empty()) mail += " ENVID=" + tx.envid;
  plan_.push_back(Planned{Pending{Expect::mail}, mail + "\r\n"});
  for (std::size_t i = 0; i < tx.recipients.size(); ++i) {
    if (results_[i].status != RecipientStatus::pending) continue;
    const ClientRecipient& r = tx.recipients[i];
    std::string rcpt = "RCPT TO:<" + r.address + ">";
    if (ext_.dsn && !r.notify.empty()) rcpt += " NOTIFY=" + r.notify;
    if (ext_.dsn && !r.orcpt.empty()) rcpt += " ORCPT=" + r.orcpt;
    plan_.push_back(Planned{Pending{Expect::rcpt, i}, rcpt + "\r\n"});
  }
  plan_.push_back(Planned{Pending{Expect::data}, "DATA\r\n"});
  send_planned();
}

void ClientProtocol::send_planned() {
  if (ext_.pipelining) {
    // RFC 2920: RSET, MAIL and RCPT may be sent without waiting, and DATA
    // ends the group.
    while (!plan_.empty()) {
      send_command(std::move(plan_.front().line), plan_.front().pending);
      plan_.pop_front();
    }
    return;
  }
  if (!pending_.empty() || plan_.empty()) return;
  if (plan_.front().pending.expect == Expect::data && accepted_ == 0) {
    plan_.clear();  // nobody to send to: no DATA (RSET comes with the next MAIL)
    return finish_transaction();
  }
  send_command(std::move(plan_.front().line), plan_.front().pending);
  plan_.pop_front();
}

void ClientProtocol::handle_mail(const ServerReply& reply) {
  if (reply.positive()) {
    mail_ok_ = true;
    server_txn_open_ = true;
    return send_planned();
  }
  mail_failure_ = verdict(reply, Stage::mail);
  fail_pending(*mail_failure_);
  if (!ext_.pipelining) {
    plan_.clear();
    finish_transaction();
  }
  // Pipelined: the RCPT and DATA replies still have to be read.
}

void ClientProtocol::handle_rcpt(const ServerReply& reply, std::size_t index) {
  if (!mail_failure_ && index < results_.size()) {
    RecipientResult& r = results_[index];
    if (reply.positive()) {
      r = RecipientResult{RecipientStatus::accepted, remote(reply, Stage::rcpt, false)};
      ++accepted_;
    } else {
      const Outcome o = verdict(reply, Stage::rcpt);
      r = RecipientResult{o.permanent ? RecipientStatus::permanent : RecipientStatus::temporary, o};
    }
  }
  send_planned();
}

void ClientProtocol::handle_data(const ServerReply& reply) {
  if (reply.code == 354) {
    if (accepted_ > 0 && mail_ok_) {
      phase_ = Phase::body_wait;
      return;
    }
    // Pipelined DATA accepted although nobody was: end it with an empty
    // message and ignore the verdict (RFC 2920 §3.1).
    output_ += ".\r\n";
    discard_data_ = true;
    pending_.push_back(Pending{Expect::data_end});
    return;
  }
  for (RecipientResult& r : results_) {
    if (r.status == RecipientStatus::accepted) {
      const Outcome o = verdict(reply, Stage::data);
      r = RecipientResult{o.permanent ? RecipientStatus::permanent : RecipientStatus::temporary, o};
    }
  }
  finish_transaction();
}

void ClientProtocol::handle_data_end(const ServerReply& reply) {
  server_txn_open_ = false;  // the final reply ends the transaction, whatever it says
  if (!discard_data_) {
    for (RecipientResult& r : results_) {
      if (r.status != RecipientStatus::accepted) continue;
      if (reply.positive()) {
        r = RecipientResult{RecipientStatus::delivered, remote(reply, Stage::message, false)};
      } else {
        const Outcome o = verdict(reply, Stage::message);
        r = RecipientResult{o.permanent ? RecipientStatus::permanent : RecipientStatus::temporary,
                            o};
      }
    }
  }
  finish_transaction();
}

void ClientProtocol::finish_transaction() {
  tx_.reset();
  plan_.clear();
  push(ClientEvent{ClientEventKind::transaction_done});
  if (quit_requested_) send_quit();
}

}  // namespace herald::smtp
