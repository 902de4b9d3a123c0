// dns::rdata — pure parsers from wire-format rdata (RFC 1035 §3.3, RFC 3596,
// RFC 6698) to the typed records of record.hpp. No I/O, no allocation
// beyond the result; malformed or truncated input is an Error, never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "herald/base/result.hpp"
#include "herald/dns/record.hpp"

namespace herald::dns {

using Bytes = std::span<const std::uint8_t>;

// A domain name in uncompressed wire form starting at `offset` (libunbound
// hands rdata over with names already decompressed, so a compression pointer
// is an error here). On success `offset` moves past the name. The result is
// lowercase without a trailing dot; the root is ".". Labels with bytes that
// cannot appear in a host name we would look up (dots, spaces, controls,
// backslashes, non-ASCII) are rejected rather than escaped.
base::Result<std::string> parse_wire_name(Bytes wire, std::size_t& offset);

base::Result<asio::ip::address> parse_a(Bytes rdata);
base::Result<asio::ip::address> parse_aaaa(Bytes rdata);
base::Result<Mx> parse_mx(Bytes rdata);
// All character-strings of one TXT record, joined without separator
// (RFC 7208 §3.3, RFC 8461 §3.1 read them that way).
base::Result<std::string> parse_txt(Bytes rdata);
base::Result<Tlsa> parse_tlsa(Bytes rdata);
base::Result<std::string> parse_cname(Bytes rdata);

// Parses one rdata of `type` and appends it to the matching vector of
// `answer`; leaves `answer` untouched on error.
base::Result<void> append_rdata(RecordType type, Bytes rdata, Answer& answer);

}  // namespace herald::dns
