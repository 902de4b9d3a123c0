// delivery::build_dsn — delivery status notifications (RFC 3464 inside an
// RFC 6522 multipart/report) and the RFC 3461 NOTIFY rules that say when
// one is owed. Pure: it reads no spool file, sends nothing and never lets
// text from a remote server or a client escape into header or MIME syntax.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/smtp/reply_parser.hpp"

namespace herald::delivery {

// RFC 3464 §2.3.3 action-value.
enum class DsnAction { failed, delayed, delivered, relayed, expanded };

std::string_view dsn_action_name(DsnAction action);  // "failed", ...

// RFC 3461 §4.1 NOTIFY semantics. `notify` is the RCPT parameter as the
// server protocol keeps it: "NEVER", a comma list of SUCCESS, FAILURE and
// DELAY, or empty when the client sent none. Never true for the null
// sender (a DSN about a DSN could loop). Without NOTIFY, only failures are
// reported: RFC 3461 lets the MTA add DELAY, but an unasked "still trying"
// mail mostly alarms people about a delay that then resolves itself.
bool wants_dsn(std::string_view notify, DsnAction action, std::string_view sender);

// RET (RFC 3461 §4.3): how much of the original goes back. Absent counts
// as headers, which is also what an over-cap FULL falls back to.
enum class DsnReturn { headers, full };
DsnReturn parse_dsn_return(std::string_view ret);  // "FULL" (any case) → full

// xtext (RFC 3461 §4): printable ASCII except '+' and '=', others as "+XX".
std::string xtext_encode(std::string_view text);
// nullopt when `xtext` is not well-formed (upper-case hex only, per §4).
std::optional<std::string> xtext_decode(std::string_view xtext);

// One recipient's line in the report (RFC 3464 §2.3).
struct DsnRecipient {
  std::string final_recipient;  // the address delivery used, without <>
  std::string orcpt;            // ORCPT as stored, "addr-type;xtext"; empty: none
  DsnAction action = DsnAction::failed;
  std::string status = "5.0.0";  // RFC 3463 x.y.z
  std::string remote_mta;        // host that answered; empty: none
  // What the remote server said (Diagnostic-Code: smtp; ...).
  std::optional<smtp::ServerReply> remote_reply;
  // Herald's own words when no server answered ("no MX for example.net");
  // used only without remote_reply (Diagnostic-Code: X-Herald; ...).
  std::string local_diagnostic;
  std::optional<std::int64_t> last_attempt;      // Unix seconds
  std::optional<std::int64_t> will_retry_until;  // Unix seconds; delayed only
};

// The message being reported on, from the spool.
struct DsnOriginal {
  std::string sender;  // MAIL FROM, without <>; the DSN goes there
  std::string envid;   // ENVID as stored (xtext); empty: none
  DsnReturn ret = DsnReturn::headers;
  std::int64_t arrival = 0;  // Unix seconds
  std::string queue_id;
  // The header section (CRLF lines, blank line optional) always; the body
  // only when the caller read it (RET=FULL and size at most the cap), so a
  // big message is never loaded just to be cut off.
  std::string_view header;
  std::optional<std::string_view> body;
  std::uint64_t size = 0;  // whole message in octets, header included
};

struct DsnOptions {
  std::string reporting_mta;          // our host name (Reporting-MTA, MAILER-DAEMON@)
  std::int64_t now = 0;               // Date:, Unix seconds
  std::size_t full_cap = 256 * 1024;  // RET=FULL only up to this size
  // Tests: a boundary to start from; made unique against the content if
  // it clashes. Empty: random.
  std::string boundary;
};

struct Dsn {
  std::string message;     // the whole DSN, CRLF line ends
  std::string message_id;  // "<...@host>", for the log
  std::string boundary;
  bool full = false;       // the original went back whole (message/rfc822)
  bool eight_bit = false;  // returned content has 8-bit octets: send with BODY=8BITMIME
};

// Refuses the null sender and an empty recipient list; everything else
// is made safe rather than refused, because a bounce must still go out
// when the remote server's reply is garbage.
base::Result<Dsn> build_dsn(const DsnOptions& options, const DsnOriginal& original,
                            const std::vector<DsnRecipient>& recipients);

// Splits "header CRLF CRLF body" for callers holding the whole message;
// without a blank line everything is header.
struct MessageParts {
  std::string_view header;
  std::string_view body;
};
MessageParts split_message(std::string_view message);

}  // namespace herald::delivery
