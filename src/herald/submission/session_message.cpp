// submission::Session, end of data: the header's originator fields judged
// by policy, Message-ID/Date added when missing, and the DKIM signature
// made on a worker thread before the message is committed (so the 250 the
// client gets covers a signed message).
#include <sodium.h>

#include <chrono>

#include "herald/base/hex.hpp"
#include "herald/base/log.hpp"
#include "herald/mail/date.hpp"
#include "herald/net/await_callback.hpp"
#include "herald/submission/session.hpp"

namespace herald::submission {
namespace {

std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

std::string message_id(const std::string& queue_id, const std::string& hostname) {
  unsigned char nonce[6];
  randombytes_buf(nonce, sizeof nonce);
  return "<" + queue_id + "." +
         base::hex_encode(std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce)) +
         "@" + hostname + ">";
}

}  // namespace

std::optional<smtp::Reply> Session::check_headers() {
  if (!identity_) return std::nullopt;
  if (headers_->too_big()) {
    return smtp::Reply{552, "5.3.4",
                       "The message's header section is larger than 256 KiB; nothing was queued"};
  }
  policy::HeaderSenders senders;
  for (const char* name : {"From", "Sender"}) {
    for (const auto& value : headers_->values(name)) {
      auto list = mail::parse_mailbox_list(value);
      if (!list) {
        return smtp::Reply{
            550, "5.6.0",
            std::string("The ") + name + ": header cannot be parsed: " + list.error().message};
      }
      (name[0] == 'F' ? senders.from : senders.sender).push_back(std::move(*list));
    }
  }
  auto decision = policy::check_header_senders(*identity_, mail_from_, senders);
  if (!decision.allowed) return smtp::Reply{550, "5.7.1", decision.reason};
  from_domain_ = domain_of(senders.from.front().front().address);
  return std::nullopt;
}

asio::awaitable<std::optional<smtp::Reply>> Session::sign_message(spool::Envelope& envelope) {
  // RFC 6409 §8.2/§8.3: a submission server may add a missing Date and
  // Message-ID; receivers and DKIM both want them.
  std::string added;
  if (headers_->values("Message-ID").empty()) {
    added += "Message-ID: " + message_id(writer_->id(), ctx_.config.hostname) + "\r\n";
  }
  if (headers_->values("Date").empty()) added += "Date: " + mail::rfc5322_date_now() + "\r\n";
  envelope.prepend_headers = added;
  if (!body_hasher_ || !ctx_.dkim || from_domain_.empty()) co_return std::nullopt;

  // The signed header section is what the recipient will see above the
  // body, minus our Received: (never signed: later hops add their own).
  std::string section = added + headers_->text();
  if (headers_->complete()) section.resize(section.size() - 2);  // the empty line
  if (section.size() < 2 || section.compare(section.size() - 2, 2, "\r\n") != 0) {
    base::log_info("dkim_skipped",
                   {{"session", id_}, {"reason", "header section does not end with CRLF"}});
    co_return std::nullopt;
  }
  std::string body_hash = body_hasher_->finish();
  body_hasher_.reset();
  const std::int64_t now = envelope.received_at;
  DkimKeyring& keyring = *ctx_.dkim;
  const std::string& domain = from_domain_;
  auto signature =
      co_await run_blocking(ctx_.workers, [&keyring, &domain, &section, &body_hash, now] {
        return keyring.sign(domain, section, body_hash, now);
      });
  if (!signature) {
    base::log_error("dkim_error", {{"session", id_}, {"error", signature.error().message}});
    co_return smtp::Reply{451, "4.3.0",
                          "Local error: cannot DKIM-sign the message now; try again later"};
  }
  if (signature->header.empty()) co_return std::nullopt;  // the domain has no keys
  if (ctx_.metrics) {
    for (auto a : signature->algorithms) {
      ctx_.metrics
          ->dkim_signatures(a == dkim::Algorithm::kEd25519Sha256
                                ? metrics::DkimAlgorithm::ed25519_sha256
                                : metrics::DkimAlgorithm::rsa_sha256)
          .inc();
    }
  }
  envelope.prepend_headers = signature->header + added;
  envelope.dkim_domain = signature->domain;
  signed_selectors_ = signature->selectors;
  co_return std::nullopt;
}

}  // namespace herald::submission
