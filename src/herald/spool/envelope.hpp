// spool::Envelope — what the spool stores beside a message body (ID.json):
// who sent it, to whom, how it arrived, and each recipient's delivery state.
// Pure data and JSON conversion; it must not touch disk or decide policy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::spool {

struct Recipient {
  std::string address;
  // "queued" on acceptance; delivery moves it on: "deferred" (try again at
  // next_attempt), then "delivered" or "failed" (both final). Kept as a
  // string so delivery can add states without a spool format change.
  std::string state = "queued";
  int attempts = 0;
  std::int64_t next_attempt = 0;  // unix seconds; 0 = as soon as possible
  std::string last_reply;         // the last remote reply or local reason, one line
  // last_reply is what the remote server answered ("smtp;" in a DSN's
  // Diagnostic-Code), not Herald's own reason (expiry, null MX, policy).
  bool reply_from_remote = false;
  std::string remote;     // host of the last attempt
  std::string notify;     // DSN NOTIFY= as given (RFC 3461); empty = default
  std::string orcpt;      // DSN ORCPT= as given
  bool reported = false;  // a DSN about this recipient's final state was queued

  bool final() const { return state == "delivered" || state == "failed"; }

  bool operator==(const Recipient&) const = default;
};

struct TlsInfo {
  bool active = false;
  std::string version;  // e.g. "TLSv1.3"
  std::string cipher;   // e.g. "TLS_AES_256_GCM_SHA384"

  bool operator==(const TlsInfo&) const = default;
};

struct Envelope {
  std::string id;         // set by Spool::commit from the writer
  std::string mail_from;  // empty for the null reverse-path <>
  std::vector<Recipient> recipients;
  std::int64_t received_at = 0;  // unix seconds; also stored as RFC 3339 text
  std::uint64_t size = 0;        // body bytes; set by Spool::commit from the writer
  std::string client_ip;
  std::string helo;
  std::string auth_identity;       // SASL authentication identity ("" if none)
  std::string account;             // the account the message is charged to
  std::string body_type = "7BIT";  // "7BIT", "8BITMIME" or "BINARYMIME"
  bool smtputf8 = false;
  bool requiretls = false;  // RFC 8689
  std::string dsn_ret;      // DSN RET= (FULL or HDRS); empty = default
  std::string dsn_envid;    // DSN ENVID= as given
  TlsInfo tls;
  // Header fields made after the body was written (DKIM-Signature, and
  // Message-ID/Date when the client sent none), CRLF-terminated. They go
  // in front of the body file whenever the message is sent or shown.
  std::string prepend_headers;
  std::string dkim_domain;  // d= of the signature(s); empty when unsigned

  bool operator==(const Envelope&) const = default;
};

// One committed message as seen in the queue.
struct QueueEntry {
  Envelope envelope;
  // The body is the first `size` octets of body_path; whatever follows in
  // the file (the envelope trailer of ID.msg) must never be read as mail.
  std::uint64_t size = 0;
  std::string body_path;  // absolute path of ID.msg (or an old-format ID.eml)
};

// "2024-05-01T12:34:56Z"
std::string rfc3339_utc(std::int64_t unix_seconds);

// Pretty JSON (one key per line) so an operator can read ID.json directly.
std::string envelope_to_json(const Envelope& envelope);

// Unknown keys are ignored (newer writers may add some); missing or
// mistyped required keys and an invalid id are errors.
base::Result<Envelope> envelope_from_json(std::string_view text);

}  // namespace herald::spool
