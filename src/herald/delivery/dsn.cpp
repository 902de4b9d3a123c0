// delivery::build_dsn — writes RFC 3464 delivery status notifications.
// Everything that came from outside (remote replies, addresses, ENVID,
// ORCPT, the original message) is treated as hostile: field values are
// reduced to printable ASCII and folded below the 998-octet line limit,
// and the MIME boundary is checked against every part before use.
#include "herald/delivery/dsn.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

#include "herald/mail/date.hpp"

namespace herald::delivery {
namespace {

constexpr std::size_t kSoftLine = 78;    // RFC 5322 §2.1.1 SHOULD
constexpr std::size_t kHardLine = 998;   // RFC 5322 §2.1.1 MUST, without CRLF
constexpr std::size_t kFoldLimit = 990;  // what we write ourselves: a margin below it
constexpr std::size_t kMaxDiag = 1500;   // a longer reply says nothing more useful
constexpr std::size_t kMaxHeaderCopy = 64 * 1024;

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 32> buf{};
  bytes = std::min(bytes, buf.size());
  if (RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1) {
    // Uniqueness, not secrecy, is what matters here, and the boundary is
    // checked against the content anyway; a clock-based value will do.
    const auto t = static_cast<unsigned long long>(std::time(nullptr));
    for (std::size_t i = 0; i < bytes; ++i) buf[i] = static_cast<unsigned char>(t >> (i % 8 * 8));
  }
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) out += fmt::format("{:02x}", buf[i]);
  return out;
}

bool printable(unsigned char c) {
  return c >= 0x20 && c <= 0x7e;
}

// Printable ASCII only; anything else (CR, LF, TAB, 8-bit) becomes '?'.
std::string sanitize(std::string_view text, std::size_t max = std::string::npos) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    out += printable(static_cast<unsigned char>(c)) ? c : '?';
  }
  return out;
}

bool all_graphic(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// Host names and address literals; anything else is dropped.
std::string safe_host(std::string_view host) {
  std::string out;
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
        c == '[' || c == ']')
      out += c;
  }
  return out.empty() ? "localhost" : out.substr(0, 255);
}

// "Name: value" folded at spaces near 78 columns, never past 998 octets:
// a run without spaces that long is cut, which only a hostile reply sends.
std::string field(std::string_view name, std::string_view raw_value) {
  const std::string value = sanitize(raw_value);
  std::string out(name);
  out += ':';
  std::size_t line = out.size();
  std::size_t i = 0;
  bool first = true;
  while (i < value.size()) {
    if (value[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t end = value.find(' ', i);
    if (end == std::string::npos) end = value.size();
    std::string_view word(value.data() + i, end - i);
    i = end;
    while (!word.empty()) {
      const std::size_t room = kFoldLimit - 1 - line;  // 1 for the space before it
      if (!first && line + 1 + word.size() > kSoftLine) {
        out += "\r\n";
        line = 0;
      }
      first = false;
      const std::size_t take = std::min(word.size(), line == 0 ? kFoldLimit - 1 : room);
      out += ' ';
      out.append(word.substr(0, take));
      line += 1 + take;
      word.remove_prefix(take);
    }
  }
  out += "\r\n";
  return out;
}

// RFC 6533 utf-8-addr-xtext: printable ASCII except '+', '\' and '=' as
// is, every other code point as \x{HEX}. Invalid UTF-8 octets become U+FFFD.
std::string utf8_addr_xtext(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0xfffd;
    std::size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xe0) == 0xc0 || (c & 0xf0) == 0xe0 || (c & 0xf8) == 0xf0) {
      len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
      cp = c & (0x7f >> len);
      bool ok = i + len <= s.size();
      for (std::size_t k = 1; ok && k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        ok = (cc & 0xc0) == 0x80;
        cp = (cp << 6) | (cc & 0x3f);
      }
      if (!ok) {
        cp = 0xfffd;
        len = 1;
      }
    }
    i += len;
    if (cp > 0x20 && cp < 0x7f && cp != '+' && cp != '\\' && cp != '=') {
      out += static_cast<char>(cp);
    } else {
      out += fmt::format("\\x{{{:X}}}", cp);
    }
  }
  return out;
}

// "rfc822; user@example.com", or the RFC 6533 utf-8 form for an address
// that is not plain ASCII.
std::string address_value(std::string_view address) {
  if (all_graphic(address)) return "rfc822; " + std::string(address);
  return "utf-8; " + utf8_addr_xtext(address);
}

// ORCPT "addr-type;xtext" → "addr-type; address", decoded from xtext when
// that yields a plain printable address; otherwise the xtext itself, which
// is printable by construction and so cannot carry a line break.
std::string original_recipient_value(std::string_view orcpt) {
  const auto semi = orcpt.find(';');
  std::string type(semi == std::string_view::npos ? "rfc822" : orcpt.substr(0, semi));
  std::string_view xtext = semi == std::string_view::npos ? orcpt : orcpt.substr(semi + 1);
  const bool atom = !type.empty() && std::all_of(type.begin(), type.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
  if (!atom) type = "rfc822";
  auto decoded = xtext_decode(xtext);
  if (decoded && all_graphic(*decoded)) return type + "; " + *decoded;
  return type + "; " + sanitize(xtext, 500);
}

bool valid_status(std::string_view s) {
  // class "." subject "." detail; class 2, 4 or 5; 1-3 digits each after.
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
  std::size_t digits = 0, dots = 0;
  for (std::size_t i = 2; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (digits == 0 || ++dots > 1) return false;
      digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(s[i])) && ++digits <= 3) {
      continue;
    } else {
      return false;
    }
  }
  return dots == 1 && digits > 0;
}

std::string status_of(const DsnRecipient& r) {
  if (valid_status(r.status)) return r.status;
  switch (r.action) {
    case DsnAction::failed:
      return "5.0.0";
    case DsnAction::delayed:
      return "4.0.0";
    default:
      return "2.0.0";
  }
}

// "550 5.1.1 text text" from a reply, sanitized and bounded.
std::string reply_text(const smtp::ServerReply& reply) {
  std::string out;
  if (reply.code >= 200 && reply.code <= 599) out = std::to_string(reply.code);
  if (valid_status(reply.enhanced)) out += (out.empty() ? "" : " ") + reply.enhanced;
  for (const auto& line : reply.lines) {
    if (line.empty()) continue;
    if (!out.empty()) out += ' ';
    out += line;
    if (out.size() > kMaxDiag) break;
  }
  return sanitize(out, kMaxDiag);
}

// Plain-text paragraph wrapped at 72 columns with an indent.
void wrap(std::string& out, std::string_view text, std::string_view indent) {
  std::size_t line = 0;
  std::size_t i = 0;
  const std::string clean = sanitize(text);
  while (i < clean.size()) {
    if (clean[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t end = clean.find(' ', i);
    if (end == std::string::npos) end = clean.size();
    std::string_view word(clean.data() + i, std::min<std::size_t>(end - i, 900));
    i = end;
    if (line > 0 && line + 1 + word.size() > 72) {
      out += "\r\n";
      line = 0;
    }
    if (line == 0) {
      out += indent;
      line = indent.size();
    } else {
      out += ' ';
      ++line;
    }
    out += word;
    line += word.size();
  }
  if (line > 0) out += "\r\n";
}

bool has_8bit(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) > 0x7f; });
}

// Fit to send as is: CRLF line ends only, no line over 998 octets.
bool clean_lines(std::string_view s) {
  std::size_t line = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') return false;  // no NUL may ever be sent (see DotStuffer)
    if (s[i] == '\r') {
      if (i + 1 >= s.size() || s[i + 1] != '\n') return false;
      ++i;
      line = 0;
    } else if (s[i] == '\n' || ++line > kHardLine) {
      return false;
    }
  }
  return true;
}

// The original header section as text/rfc822-headers content: CRLF line
// ends (bare CR or LF become line ends), over-long lines folded, no empty
// line inside (that would end the headers early), no NUL, bounded size.
std::string header_copy(std::string_view header) {
  std::string out;
  std::size_t line = 0;
  for (std::size_t i = 0; i < header.size() && out.size() < kMaxHeaderCopy; ++i) {
    const char c = header[i];
    if (c == '\0') continue;
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < header.size() && header[i + 1] == '\n') ++i;
      if (line > 0) out += "\r\n";
      line = 0;
      continue;
    }
    if (line >= kFoldLimit) {
      out += "\r\n ";
      line = 1;
    }
    out += c;
    ++line;
  }
  if (line > 0) out += "\r\n";
  return out;
}

std::string subject_for(bool failed, bool delayed) {
  if (failed) return "Undelivered Mail Returned to Sender";
  if (delayed) return "Delayed Mail (still being retried)";
  return "Successful Mail Delivery Report";
}

void explain_group(std::string& out, const std::vector<DsnRecipient>& recipients, DsnAction which,
                   std::string_view heading) {
  bool any = false;
  for (const auto& r : recipients) {
    if (r.action != which) continue;
    if (!any) {
      wrap(out, heading, "");
      out += "\r\n";
      any = true;
    }
    out += sanitize("<" + r.final_recipient + ">", 300) + ":\r\n";
    std::string why;
    if (r.remote_reply) {
      why = "The server " +
            (r.remote_mta.empty() ? std::string("of the recipient") : safe_host(r.remote_mta)) +
            " answered: " + reply_text(*r.remote_reply);
    } else if (!r.local_diagnostic.empty()) {
      why = r.local_diagnostic;
    } else {
      why = "Status " + status_of(r) + ".";
    }
    wrap(out, why, "    ");
    if (r.last_attempt) wrap(out, "Last attempt: " + mail::rfc5322_date(*r.last_attempt), "    ");
    if (which == DsnAction::delayed && r.will_retry_until) {
      wrap(out, "Herald keeps trying until " + mail::rfc5322_date(*r.will_retry_until) + ".",
           "    ");
    }
    out += "\r\n";
  }
}

std::string human_part(const DsnOptions& o, const DsnOriginal& m,
                       const std::vector<DsnRecipient>& rs, bool full) {
  std::string out;
  wrap(out, "This is the mail system at host " + safe_host(o.reporting_mta) + ".", "");
  out += "\r\n";
  wrap(out,
       "Your message" + (m.arrival ? " of " + mail::rfc5322_date(m.arrival) : std::string()) +
           (m.queue_id.empty() ? std::string() : " (queue id " + sanitize(m.queue_id, 64) + ")") +
           " is reported on below. This is an automatic notice; please do not reply to it.",
       "");
  out += "\r\n";
  explain_group(out, rs, DsnAction::failed,
                "It could not be delivered to the addresses below, and Herald has stopped "
                "trying. Check each address for typing mistakes; the reason the receiving "
                "side gave is quoted.");
  explain_group(out, rs, DsnAction::delayed,
                "It has not been delivered yet to the addresses below. Herald keeps retrying; "
                "you need not send it again. If it still fails, you will get another notice.");
  explain_group(out, rs, DsnAction::delivered, "It was delivered to the addresses below.");
  explain_group(out, rs, DsnAction::relayed,
                "It was passed on to the addresses below, to a system that may not send "
                "further notices.");
  explain_group(out, rs, DsnAction::expanded,
                "It was delivered to the addresses below, which forward it to further "
                "recipients.");
  wrap(out, full ? "Your message is attached." : "The header of your message is attached.", "");
  return out;
}

std::string status_part(const DsnOptions& o, const DsnOriginal& m,
                        const std::vector<DsnRecipient>& rs) {
  std::string out = field("Reporting-MTA", "dns; " + safe_host(o.reporting_mta));
  if (!m.queue_id.empty()) out += field("X-Herald-Queue-ID", sanitize(m.queue_id, 64));
  if (!m.envid.empty()) {
    auto decoded = xtext_decode(m.envid);
    out += field("Original-Envelope-Id",
                 decoded && all_graphic(*decoded) ? *decoded : sanitize(m.envid, 100));
  }
  if (m.arrival) out += field("Arrival-Date", mail::rfc5322_date(m.arrival));
  for (const auto& r : rs) {
    out += "\r\n";
    if (!r.orcpt.empty()) out += field("Original-Recipient", original_recipient_value(r.orcpt));
    out += field("Final-Recipient", address_value(r.final_recipient));
    out += field("Action", dsn_action_name(r.action));
    out += field("Status", status_of(r));
    if (!r.remote_mta.empty()) out += field("Remote-MTA", "dns; " + safe_host(r.remote_mta));
    if (r.remote_reply) {
      out += field("Diagnostic-Code", "smtp; " + reply_text(*r.remote_reply));
    } else if (!r.local_diagnostic.empty()) {
      out += field("Diagnostic-Code", "X-Herald; " + sanitize(r.local_diagnostic, kMaxDiag));
    }
    if (r.last_attempt) out += field("Last-Attempt-Date", mail::rfc5322_date(*r.last_attempt));
    if (r.action == DsnAction::delayed && r.will_retry_until) {
      out += field("Will-Retry-Until", mail::rfc5322_date(*r.will_retry_until));
    }
  }
  return out;
}

}  // namespace

base::Result<Dsn> build_dsn(const DsnOptions& options, const DsnOriginal& original,
                            const std::vector<DsnRecipient>& recipients) {
  if (original.sender.empty()) {
    return base::make_error("no DSN is sent to the null sender <> (RFC 3461 section 6.2)");
  }
  if (recipients.empty()) return base::make_error("a DSN needs at least one recipient");
  const std::string host = safe_host(options.reporting_mta);
  bool failed = false, delayed = false;
  for (const auto& r : recipients) {
    failed = failed || r.action == DsnAction::failed;
    delayed = delayed || r.action == DsnAction::delayed;
  }

  // The original, whole when asked for, small enough and sendable as is.
  std::string header(original.header);
  if (!header.empty() && header.back() != '\n') header += "\r\n";
  while (header.size() >= 4 && header.ends_with("\r\n\r\n")) header.resize(header.size() - 2);
  if (header == "\r\n") header.clear();
  const bool full = original.ret == DsnReturn::full && original.body &&
                    original.size <= options.full_cap && clean_lines(header) &&
                    clean_lines(*original.body) &&
                    header.size() + original.body->size() <= options.full_cap;
  std::string returned;
  if (full) {
    returned = header + "\r\n";
    returned.append(*original.body);
    if (!returned.ends_with("\r\n")) returned += "\r\n";
  } else {
    returned = header_copy(header);
  }
  const bool eight_bit = has_8bit(returned);

  const std::string text = human_part(options, original, recipients, full);
  const std::string status = status_part(options, original, recipients);

  // A delimiter line is "--" boundary; it must not occur in any part, and
  // "=_" cannot occur in quoted-printable or base64 text to begin with.
  std::string boundary = options.boundary;
  const bool usable = !boundary.empty() && boundary.size() <= 60 &&
                      std::all_of(boundary.begin(), boundary.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) ||
                               std::string_view("'()+_,-./:=?").find(c) != std::string_view::npos;
                      });
  if (!usable) boundary = "=_herald_" + random_hex(16);
  auto clashes = [&](const std::string& b) {
    return text.find(b) != std::string::npos || status.find(b) != std::string::npos ||
           returned.find(b) != std::string::npos;
  };
  while (clashes(boundary)) {
    if (boundary.size() > 60) boundary = "=_herald_";  // RFC 2046 allows 70
    boundary += random_hex(4);
  }

  Dsn dsn;
  dsn.boundary = boundary;
  dsn.full = full;
  dsn.eight_bit = eight_bit;
  dsn.message_id = "<" + random_hex(12) + ".dsn@" + host + ">";

  std::string& out = dsn.message;
  out += "From: \"Mail Delivery System\" <MAILER-DAEMON@" + host + ">\r\n";
  out += field("To", "<" + sanitize(original.sender, 600) + ">");
  out += field("Subject", subject_for(failed, delayed));
  out += "Date: " + mail::rfc5322_date(options.now) + "\r\n";
  out += "Message-ID: " + dsn.message_id + "\r\n";
  out += "Auto-Submitted: auto-replied\r\n";  // RFC 3834 §5: no auto-reply to this
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/report; report-type=delivery-status;\r\n";
  out += "\tboundary=\"" + boundary + "\"\r\n";
  if (eight_bit) out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\nThis is a MIME-encapsulated delivery status notification.\r\n";

  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=us-ascii\r\n";
  out += "Content-Description: Notification\r\n\r\n";
  out += text;

  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: message/delivery-status\r\n";
  out += "Content-Description: Delivery report\r\n\r\n";
  out += status;

  out += "\r\n--" + boundary + "\r\n";
  out += full ? "Content-Type: message/rfc822\r\n" : "Content-Type: text/rfc822-headers\r\n";
  out += full ? "Content-Description: The original message\r\n"
              : "Content-Description: Header of the original message\r\n";
  if (eight_bit) out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n";
  out += returned;

  out += "\r\n--" + boundary + "--\r\n";
  return dsn;
}

}  // namespace herald::delivery
