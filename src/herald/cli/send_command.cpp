// `herald send`: submits one test message the way an application would —
// TLS (STARTTLS, or implicit on 465), AUTH PLAIN/LOGIN, one transaction —
// through the same outbound client delivery uses, and prints the server's
// answer. For checking a Herald (or any submission server) by hand.
#include <fcntl.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_future.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "herald/cli/commands.hpp"
#include "herald/config/address.hpp"
#include "herald/delivery/outbound_session.hpp"
#include "herald/delivery/tls_policy_ssl.hpp"
#include "herald/mail/date.hpp"
#include "herald/spool/file_descriptor.hpp"

namespace herald::cli {
namespace {

struct SendOptions {
  std::string server, user, from, subject = "Test message from herald send", body_file, tls,
                                  ca_file;
  std::vector<std::string> to;
  bool password_stdin = false;
  bool insecure = false;
};

// Lines end in CRLF whatever the file used; a lone "." line is harmless
// (the dot-stuffer doubles it).
std::string normalize_body(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)) {
    out += "\r\n";
  }
  return out;
}

std::string build_message(const SendOptions& o, const std::string& body, const std::string& id) {
  bool eight_bit = false;
  for (unsigned char c : body + o.subject) eight_bit = eight_bit || c >= 0x80;
  std::string to;
  for (const auto& t : o.to) to += (to.empty() ? "" : ", ") + t;
  std::string m =
      "From: " + o.from + "\r\nTo: " + to + "\r\nSubject: " + o.subject +
      "\r\nDate: " + mail::rfc5322_date_now() + "\r\nMessage-ID: <" + id +
      "@herald-send>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" +
      "Content-Transfer-Encoding: " + (eight_bit ? "8bit" : "7bit") + "\r\n\r\n";
  return m + body;
}

int run_send(Globals& globals, const SendOptions& o) {
  auto endpoint = config::parse_host_port(o.server);
  if (!endpoint) {
    fail(globals, "--server " + o.server + ": " + endpoint.error().message);
    return 1;
  }
  std::optional<smtp::ClientCredentials> credentials;
  if (!o.user.empty()) {
    auto password = read_password(o.password_stdin);
    if (!password) {
      fail(globals, password.error().message);
      return 1;
    }
    credentials = smtp::ClientCredentials{o.user, std::move(*password)};
  }
  std::string body = "This is a test message sent with 'herald send'.\r\n";
  if (!o.body_file.empty()) {
    std::ifstream in(o.body_file, std::ios::binary);
    if (!in) {
      fail(globals, "cannot read --body-file " + o.body_file);
      return 1;
    }
    std::ostringstream s;
    s << in.rdbuf();
    body = s.str();
  }
  const std::string id = std::to_string(::getpid()) + "." + std::to_string(std::time(nullptr));
  const std::string message = build_message(o, normalize_body(body), id);

  // The outbound session streams bodies from files, as delivery does.
  // O_EXCL|O_NOFOLLOW: a name planted in the shared temp directory (a
  // symlink) is refused rather than followed.
  const auto path = std::filesystem::temp_directory_path() / ("herald-send-" + id + ".eml");
  {
    spool::FileDescriptor fd(
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() || !spool::write_all(fd.get(), message, path.string()).ok()) {
      fail(globals, "cannot write the message to " + path.string());
      std::error_code ignored;
      if (fd.valid()) std::filesystem::remove(path, ignored);
      return 1;
    }
  }
  spool::Envelope envelope;
  envelope.size = message.size();
  envelope.mail_from = o.from;
  for (const auto& t : o.to) envelope.recipients.push_back({t});
  for (unsigned char c : message) {
    if (c >= 0x80) envelope.body_type = "8BITMIME";
  }
  delivery::OutboundMessage m{&envelope, path.string(), {}};
  for (std::size_t i = 0; i < o.to.size(); ++i) m.recipients.push_back(i);
  std::vector<delivery::OutboundMessage> messages{m};

  auto tls = delivery::make_client_tls_context(o.ca_file);
  if (!tls) {
    fail(globals, tls.error().message);
    return 1;
  }
  delivery::TlsRequirement requirement;
  requirement.tls_required = true;
  requirement.verify = o.insecure ? delivery::Verify::none : delivery::Verify::pkix;
  requirement.verify_enforced = !o.insecure;

  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  asio::error_code ec;
  auto results = resolver.resolve(endpoint->host, std::to_string(endpoint->port), ec);
  if (ec || results.empty()) {
    fail(globals, "cannot resolve " + endpoint->host + ": " + ec.message());
    return 1;
  }
  delivery::OutboundTarget target;
  target.host = endpoint->host;
  target.address = results.begin()->endpoint().address();
  target.port = endpoint->port;
  target.implicit_tls = o.tls == "implicit" || (o.tls.empty() && endpoint->port == 465);
  target.tls = smtp::TlsPolicy::required;
  target.tls_context = *tls;
  target.credentials = credentials;
  target.configure_tls = [requirement, name = endpoint->host](SSL* ssl) {
    return delivery::configure_client_ssl(ssl, requirement, delivery::DaneDecision{}, name).ok();
  };
  delivery::OutboundOptions options;
  options.helo_name = "herald-send.invalid";
  options.connect_timeout = std::chrono::seconds{30};
  auto future =
      asio::co_spawn(io, delivery::deliver_messages(target, messages, options), asio::use_future);
  io.run();
  delivery::OutboundResult result = future.get();
  std::filesystem::remove(path, ec);

  int code = 0;
  if (result.session_failure) {
    std::cerr << "herald: " << result.session_failure->describe() << "\n";
    code = 1;
  }
  const auto& per_rcpt = result.results.front();
  for (std::size_t i = 0; i < per_rcpt.size(); ++i) {
    const bool ok = per_rcpt[i].status == smtp::RecipientStatus::delivered;
    (ok ? std::cout : std::cerr) << (ok ? "" : "herald: ") << o.to[i] << ": "
                                 << per_rcpt[i].outcome.describe() << "\n";
    if (!ok) code = 1;
  }
  if (!result.tls.empty()) std::cout << "tls: " << result.tls << "\n";
  return code;
}

}  // namespace

void add_send_command(CLI::App& app, Globals& globals) {
  auto o = std::make_shared<SendOptions>();
  auto* send = app.add_subcommand("send", "submit one test message as a client would");
  send->add_option("--server", o->server, "HOST:PORT of the submission server")->required();
  send->add_option("--user", o->user, "AUTH user (a login or 'apikey'); none: no AUTH");
  send->add_flag("--password-stdin", o->password_stdin, "read the password from standard input");
  send->add_option("--from", o->from, "envelope sender and From: address")->required();
  send->add_option("--to", o->to, "recipient; repeatable")->required();
  send->add_option("--subject", o->subject, "Subject: text");
  send->add_option("--body-file", o->body_file, "file with the message body (text)");
  send->add_option("--tls", o->tls, "starttls or implicit (default: implicit on port 465)")
      ->check(CLI::IsMember({"starttls", "implicit"}));
  send->add_option("--ca-file", o->ca_file, "extra CA certificates to trust (PEM)");
  send->add_flag("--insecure", o->insecure,
                 "do not verify the server's certificate (self-signed test servers)");
  send->callback([o, &globals] {
    int code = run_send(globals, *o);
    if (code != 0) globals.exit_code = code;
  });
}

}  // namespace herald::cli
