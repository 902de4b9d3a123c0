// libFuzzer target for smtp::ClientProtocol and smtp::ReplyParser: a whole
// outbound session against fuzz server bytes, in reads of fuzz-chosen sizes.
// It must end, write only well-formed command lines of bounded size, never
// send AUTH (or the credentials) without TLS, and decide every recipient.
// The reply parser must frame the same replies however the input is cut.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "herald/smtp/client_protocol.hpp"
#include "herald/smtp/dot_stuffer.hpp"
#include "herald/smtp/reply_parser.hpp"

using herald::smtp::ClientEventKind;
using herald::smtp::RecipientStatus;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_printable(std::string_view text) {
  for (char c : text) check(c >= 0x20 && c <= 0x7e);
}

// Commands, "*" and a lone "." only: CRLF lines without stray CR or LF.
void check_output(std::string_view out) {
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find("\r\n", start);
    check(end != std::string_view::npos);
    const std::string_view line = out.substr(start, end - start);
    check(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos);
    start = end + 2;
  }
}

struct Framed {
  std::vector<std::string> replies;  // summaries
  herald::smtp::ReplyError error = herald::smtp::ReplyError::none;
};

Framed frame(std::string_view input, std::size_t step) {
  herald::smtp::ReplyLimits limits;
  limits.max_line = 64;
  limits.max_lines = 4;
  limits.max_reply = 160;
  herald::smtp::ReplyParser parser(limits);
  Framed f;
  std::size_t pos = 0;
  while (pos < input.size() && !parser.failed()) {
    const std::string_view piece = input.substr(pos, step);
    const std::size_t n = parser.feed(piece);
    check(n <= piece.size());
    pos += n;
    if (parser.done()) {
      const herald::smtp::ServerReply r = parser.take();
      check(r.code >= 200 && r.code <= 599 && !r.lines.empty() && r.lines.size() <= 4);
      for (const std::string& line : r.lines) check_printable(line);
      f.replies.push_back(r.summary());
    } else if (n < piece.size()) {
      check(parser.failed());
    }
  }
  f.error = parser.error();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  const std::size_t step = 1 + data[1] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  const Framed whole = frame(input, input.size() + 1);
  const Framed cut = frame(input, step);
  check(whole.replies == cut.replies && whole.error == cut.error);

  herald::smtp::ClientConfig config;
  config.helo_name = "out.herald.test";
  config.tls = static_cast<herald::smtp::TlsPolicy>(flags % 3);
  config.tls_active = (flags & 0x04) != 0;
  if ((flags & 0x08) != 0) config.credentials = herald::smtp::ClientCredentials{"user", "secret"};
  if ((flags & 0x10) != 0) config.auth_mechanisms = {"LOGIN"};
  config.reply_limits.max_line = 512;
  config.reply_limits.max_reply = 4096;
  const bool fail_tls = (flags & 0x20) != 0;
  bool second = (flags & 0x40) != 0;

  herald::smtp::ClientTransaction tx;
  tx.sender = (flags & 0x80) != 0 ? "" : "alice@herald.test";
  tx.recipients = {{"a@remote.test", "", ""},
                   {"b@remote.test", "NEVER", "rfc822;b@remote.test"},
                   {"bad address", "", ""}};
  tx.size = 5000;
  tx.eight_bit = true;
  tx.ret = "HDRS";
  check(tx.recipients.size() == 3);

  herald::smtp::ClientProtocol p(config);
  if (!p.start_transaction(tx).ok()) std::abort();

  std::size_t pos = 0;
  std::size_t written = 0;
  bool lost = false;
  for (int rounds = 0;; ++rounds) {
    check(rounds < 100000);  // every step consumes input or ends the session
    const herald::smtp::ClientEvent e = p.next();
    const std::string out = p.take_output();
    check_output(out);
    written += out.size();
    check(written < 64 * 1024);
    if (!p.tls_active()) {
      check(out.find("AUTH") == std::string::npos);
      check(out.find("c2VjcmV0") == std::string::npos);  // base64("secret")
      check(out.find("AHVzZXIAc2VjcmV0") == std::string::npos);
    }
    switch (e.kind) {
      case ClientEventKind::need_input:
        if (pos >= input.size()) {
          check(!lost);  // connection_lost() must end the wait
          lost = true;
          p.connection_lost("eof");
          break;
        }
        p.receive(input.substr(pos, step));
        pos += step;
        break;
      case ClientEventKind::start_tls:
        if (fail_tls) {
          p.connection_lost("handshake failed");
        } else {
          p.tls_started();
        }
        break;
      case ClientEventKind::send_body: {
        herald::smtp::DotStuffer stuffer;
        std::string body;
        stuffer.feed("Subject: x\r\n\r\n.\r\n", body);
        stuffer.finish(body);
        p.body_sent();
        break;
      }
      case ClientEventKind::transaction_done:
        for (const herald::smtp::RecipientResult& r : p.results()) {
          check(r.status != RecipientStatus::pending && r.status != RecipientStatus::accepted);
          check(r.outcome.reply.code >= 200 && r.outcome.reply.code <= 599);
          check_printable(r.outcome.reply.text);
          check_printable(r.outcome.reply.enhanced);
        }
        check(p.results().size() == 3 && p.results()[2].status == RecipientStatus::permanent);
        break;
      case ClientEventKind::idle:
        if (second) {
          second = false;
          if (!p.start_transaction(tx).ok()) std::abort();
        } else {
          p.quit();
        }
        break;
      case ClientEventKind::closed:
      case ClientEventKind::failed:
        check(p.ended());
        check_printable(e.outcome.reply.text);
        check(p.next().kind == e.kind);
        return 0;
    }
  }
}
