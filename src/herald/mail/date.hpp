// mail::date — the RFC 5322 §3.3 date-time Herald writes in Received:,
// Date: and bounce messages. Formatting only, always in UTC.
#pragma once

#include <cstdint>
#include <string>

namespace herald::mail {

// "Mon, 23 Nov 2026 14:40:33 +0000"; English names whatever the locale.
std::string rfc5322_date(std::int64_t unix_seconds);

// The current time as above.
std::string rfc5322_date_now();

}  // namespace herald::mail
