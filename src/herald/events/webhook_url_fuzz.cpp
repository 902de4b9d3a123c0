// libFuzzer: whatever text an operator (or an API client) configures as a
// webhook URL, parse_webhook_url either refuses it or returns parts that the
// HTTP client can use without reinterpretation. Invariants abort().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "herald/events/webhook_url.hpp"

using herald::events::parse_webhook_url;
using herald::events::WebhookUrl;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_accepted(const WebhookUrl& u, bool allow_private) {
  check(u.host.find('@') == std::string::npos);
  check(!u.host.empty());
  check(u.port != 0);
  check(!u.target.empty() && u.target.front() == '/');
  check(u.target.find('#') == std::string::npos);
  check(u.scheme == "https" || (allow_private && u.scheme == "http"));
  for (char c : u.host + u.target) {
    const auto b = static_cast<unsigned char>(c);
    check(b > 0x20 && b < 0x7f);
  }
  // The rebuilt URL is itself accepted, to the same parts (when the
  // explicit ":port" it adds still fits the length limit).
  const std::string rebuilt = u.to_string();
  if (rebuilt.size() > herald::events::kMaxWebhookUrlLength) return;
  auto again = parse_webhook_url(rebuilt, allow_private);
  check(again.ok());
  check(again->host == u.host && again->port == u.port && again->target == u.target &&
        again->scheme == u.scheme && again->host_is_ip == u.host_is_ip);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto strict = parse_webhook_url(text, false);
  const auto relaxed = parse_webhook_url(text, true);
  if (strict.ok()) {
    check_accepted(*strict, false);
    // Whatever the strict mode accepts, the relaxed one accepts the same way.
    check(relaxed.ok() && relaxed->host == strict->host && relaxed->target == strict->target);
  }
  if (relaxed.ok()) check_accepted(*relaxed, true);
  return 0;
}
