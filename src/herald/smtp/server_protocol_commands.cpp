// ServerProtocol's command handlers: what each SMTP verb may do in which
// state, and the replies. The byte-level machinery (lines, DATA, BDAT
// chunks, decisions) lives in server_protocol.cpp.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "herald/base/ascii.hpp"
#include "herald/smtp/command_parser.hpp"
#include "herald/smtp/server_protocol.hpp"

namespace herald::smtp {
namespace {

using base::iequals;

Reply bad_sequence(std::string text) {
  return Reply{503, "5.5.1", std::move(text)};
}

}  // namespace

void ServerProtocol::handle_command(std::string_view line) {
  const Command cmd = parse_command(line, txn_.smtputf8);
  switch (cmd.verb) {
    case Verb::ehlo:
    case Verb::helo:
      return handle_ehlo(cmd);
    case Verb::mail:
      return handle_mail(cmd);
    case Verb::rcpt:
      return handle_rcpt(cmd);
    case Verb::data:
      return handle_data(cmd);
    case Verb::bdat:
      return handle_bdat(cmd);
    case Verb::starttls:
      return handle_starttls(cmd);
    case Verb::auth:
      return handle_auth(cmd);
    case Verb::rset:
      if (!cmd.ok()) return send(*cmd.error);
      reset_transaction();
      send(Reply{250, "2.0.0", "Ok"});
      return push(Event{EventKind::reset});
    case Verb::noop:
      return send(Reply{250, "2.0.0", "Ok"});
    case Verb::quit:
      output_ += format_reply(Reply{221, "2.0.0", "Bye"});
      closing_ = true;
      return push(Event{EventKind::quit});
    case Verb::vrfy:
      if (!cmd.ok()) return send(*cmd.error);
      return send(
          Reply{252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"});
    case Verb::expn:
      return send(Reply{502, "5.5.1", "EXPN is not supported"});
    case Verb::help:
      return send(
          Reply{214, "2.0.0",
                "Herald submission server; commands: EHLO MAIL RCPT DATA BDAT RSET NOOP "
                "QUIT VRFY HELP STARTTLS AUTH; see docs/operations.md in the Herald distribution"});
    case Verb::unknown:
      return send(*cmd.error);
  }
}

bool ServerProtocol::offered(std::string_view mechanism) const {
  // "-PLUS" mechanisms bind to the TLS channel; without a channel that can
  // be bound they must not be advertised (RFC 5802 §6).
  const bool plus =
      mechanism.size() > 5 && iequals(mechanism.substr(mechanism.size() - 5), "-PLUS");
  return !plus || channel_binding_;
}

void ServerProtocol::handle_ehlo(const Command& cmd) {
  if (!cmd.ok()) return send(*cmd.error);
  if (txn_.open) {
    reset_transaction();
    push(Event{EventKind::reset});
  }
  helo_ = true;
  helo_name_ = cmd.argument;
  if (cmd.verb == Verb::helo) {
    send(Reply{250, "2.0.0", config_.hostname});
  } else {
    // RFC 2034 §3: EHLO response lines carry no enhanced codes.
    std::vector<std::string> lines{
        config_.hostname + " greets " + cmd.argument,
        "PIPELINING",
        "SIZE " + std::to_string(config_.max_message_size),
        "8BITMIME",
        "SMTPUTF8",
        "ENHANCEDSTATUSCODES",
        "CHUNKING",
    };
    if (config_.starttls_available && !tls_active_) lines.emplace_back("STARTTLS");
    // AUTH only under TLS: credentials never cross the wire in clear.
    if (tls_active_ && !config_.auth_mechanisms.empty()) {
      std::string auth = "AUTH";
      for (const std::string& m : config_.auth_mechanisms) {
        if (offered(m)) auth += " " + m;
      }
      lines.push_back(std::move(auth));
    }
    output_ += format_multiline(250, lines);
  }
  Event e{EventKind::helo};
  e.text = cmd.argument;
  push(std::move(e));
}

void ServerProtocol::handle_mail(const Command& cmd) {
  if (!helo_) return send(bad_sequence("Send EHLO or HELO first"));
  if (config_.auth_required && !authenticated_) {
    return send(Reply{530, "5.7.0", "Authentication required"});
  }
  if (txn_.open) return send(bad_sequence("Nested MAIL command; send RSET to start over"));
  if (!cmd.ok()) return send(*cmd.error);
  if (cmd.mail.size && *cmd.mail.size > config_.max_message_size) {
    return send(Reply{552, "5.3.4",
                      "Message size exceeds the limit of " +
                          std::to_string(config_.max_message_size) + " octets"});
  }
  pending_smtputf8_ = cmd.mail.smtputf8;
  Event e{EventKind::mail};
  e.text = cmd.path.null ? std::string{} : cmd.path.address.to_string();
  e.mail = cmd.mail;
  push(std::move(e), Pending::mail);
}

void ServerProtocol::handle_rcpt(const Command& cmd) {
  if (!txn_.open) return send(bad_sequence("Send MAIL FROM first"));
  if (txn_.data_started) return send(bad_sequence("RCPT is not allowed after message data"));
  if (!cmd.ok()) return send(*cmd.error);
  if (txn_.recipients >= config_.max_recipients) {
    return send(Reply{452, "4.5.3", "Too many recipients"});
  }
  Event e{EventKind::rcpt};
  e.text = cmd.path.address.to_string();
  e.rcpt = cmd.rcpt;
  push(std::move(e), Pending::rcpt);
}

void ServerProtocol::handle_data(const Command& cmd) {
  if (!txn_.open) return send(bad_sequence("Send MAIL FROM first"));
  if (txn_.bdat) return send(bad_sequence("DATA cannot follow BDAT in the same transaction"));
  // RFC 2920 §3.1: with pipelining, DATA arrives even when every RCPT failed.
  if (txn_.recipients == 0) return send(Reply{554, "5.5.1", "No valid recipients"});
  if (!cmd.ok()) return send(*cmd.error);
  pending_bdat_ = false;
  push(Event{EventKind::data_begin}, Pending::data_begin);
}

void ServerProtocol::handle_bdat(const Command& cmd) {
  if (!cmd.ok()) {
    // Without a size the chunk cannot be skipped; an open BDAT message is
    // lost, so end it here rather than let later chunks join a stale one.
    if (txn_.bdat && txn_.data_started) {
      reset_transaction();
      Event e{EventKind::data_end};
      e.status = DataStatus::bdat_aborted;
      e.bdat = true;
      push(std::move(e));
    }
    return send(*cmd.error);
  }
  // Every well-formed BDAT announces octets that follow whatever we answer;
  // each refusal below swallows them first so they never run as commands.
  if (!txn_.open) return skip_bdat_chunk(cmd.bdat_size, bad_sequence("Send MAIL FROM first"));
  if (txn_.recipients == 0) {
    return skip_bdat_chunk(cmd.bdat_size, Reply{554, "5.5.1", "No valid recipients"});
  }
  if (!txn_.data_started) {
    txn_.bdat = true;
    pending_bdat_ = true;
    bdat_size_ = cmd.bdat_size;
    bdat_last_ = cmd.bdat_last;
    Event e{EventKind::data_begin};
    e.bdat = true;
    return push(std::move(e), Pending::data_begin);
  }
  begin_bdat_chunk(cmd.bdat_size, cmd.bdat_last);
}

void ServerProtocol::handle_starttls(const Command& cmd) {
  if (!cmd.ok()) return send(*cmd.error);
  if (tls_active_) return send(bad_sequence("TLS is already active"));
  if (!config_.starttls_available) {
    return send(Reply{502, "5.5.1", "STARTTLS is not available on this port"});
  }
  if (txn_.open) return send(bad_sequence("Finish or reset the mail transaction before STARTTLS"));
  output_ += format_reply(Reply{220, "2.0.0", "Ready to start TLS"});
  // RFC 3207 §4.2: anything pipelined after STARTTLS was sent in clear and
  // must not be executed inside the TLS session.
  input_.clear();
  input_pos_ = 0;
  phase_ = Phase::tls_wait;
  push(Event{EventKind::starttls});
}

void ServerProtocol::handle_auth(const Command& cmd) {
  if (!helo_) return send(bad_sequence("Send EHLO first"));
  if (!tls_active_) {
    return send(Reply{530, "5.7.0",
                      config_.starttls_available
                          ? "Must issue a STARTTLS command first"
                          : "Authentication needs TLS; use the implicit TLS port"});
  }
  if (authenticated_) return send(bad_sequence("Already authenticated"));
  if (txn_.open) return send(bad_sequence("AUTH is not allowed during a mail transaction"));
  if (!cmd.ok()) return send(*cmd.error);
  const auto& mechs = config_.auth_mechanisms;
  const bool known = std::any_of(mechs.begin(), mechs.end(), [&](const std::string& m) {
    return offered(m) && iequals(m, cmd.argument);
  });
  if (!known) {
    std::string list;
    for (const std::string& m : mechs) {
      if (offered(m)) list += " " + m;
    }
    return send(Reply{504, "5.5.4", "Unrecognized authentication type; use one of:" + list});
  }
  Event e{EventKind::auth};
  e.text = cmd.argument;
  e.argument = cmd.auth_initial;
  e.has_argument = cmd.has_auth_initial;
  push(std::move(e), Pending::auth);
}

}  // namespace herald::smtp
