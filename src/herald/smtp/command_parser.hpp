// smtp::parse_command — one SMTP command line (CRLF already stripped) into a
// verb and checked arguments, or the exact error reply to send. Knows the
// grammar only; whether a command is allowed now is ServerProtocol's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "herald/mail/address.hpp"
#include "herald/smtp/reply.hpp"
#include "herald/smtp/server_protocol.hpp"

namespace herald::smtp {

enum class Verb {
  ehlo,
  helo,
  mail,
  rcpt,
  data,
  bdat,
  rset,
  noop,
  quit,
  vrfy,
  expn,
  help,
  starttls,
  auth,
  unknown,
};

struct Command {
  Verb verb = Verb::unknown;
  // Set when the line is malformed. The verb is still filled in when it was
  // recognised, so the protocol can check sequence (503) before syntax.
  std::optional<Reply> error;

  // EHLO/HELO: client name; VRFY/EXPN/HELP/NOOP: the text as written;
  // AUTH: mechanism in upper case.
  std::string argument;
  std::string auth_initial;       // AUTH initial response ("=" means empty)
  bool has_auth_initial = false;  // AUTH came with an initial response

  mail::ParsedPath path;  // MAIL/RCPT
  MailParameters mail;    // MAIL parameters
  RcptParameters rcpt;    // RCPT parameters

  std::uint64_t bdat_size = 0;  // BDAT chunk size
  bool bdat_last = false;       // BDAT ... LAST

  bool ok() const { return !error.has_value(); }
};

// `rcpt_smtputf8`: the transaction's MAIL carried SMTPUTF8, so a RCPT path
// may hold UTF-8 (RFC 6531 §3.4). MAIL decides that from its own parameters.
Command parse_command(std::string_view line, bool rcpt_smtputf8 = false);

// Upper-case name of the verb ("MAIL"); "unknown" for Verb::unknown.
std::string_view verb_name(Verb verb);

}  // namespace herald::smtp
