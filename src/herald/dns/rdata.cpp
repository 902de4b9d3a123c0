// dns::rdata — wire-format parsers; every read is bounds-checked first.
#include "herald/dns/rdata.hpp"

#include <algorithm>
#include <utility>

#include "herald/base/ascii.hpp"

namespace herald::dns {

namespace {

using base::make_error;
using base::Result;

// RFC 1035 §2.3.4: 255 octets in wire form, labels up to 63.
constexpr std::size_t kMaxWireName = 255;
constexpr std::size_t kMaxLabel = 63;

bool label_byte_ok(std::uint8_t b) {
  return b > 0x20 && b < 0x7f && b != '.' && b != '\\';
}

std::uint16_t read16(Bytes bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

// A name must fill the rdata exactly: trailing bytes mean we misread it.
Result<std::string> parse_whole_name(Bytes rdata, std::size_t offset, const char* what) {
  auto name = parse_wire_name(rdata, offset);
  if (!name) return make_error(std::string(what) + ": " + name.error().message);
  if (offset != rdata.size()) return make_error(std::string(what) + ": trailing bytes after name");
  return name;
}

}  // namespace

Result<std::string> parse_wire_name(Bytes wire, std::size_t& offset) {
  std::string name;
  std::size_t at = offset;
  std::size_t wire_length = 0;
  for (;;) {
    if (at >= wire.size()) return make_error("name is truncated");
    const std::uint8_t length = wire[at];
    if ((length & 0xc0) != 0) return make_error("name uses compression or an unknown label type");
    wire_length += 1 + length;
    if (wire_length > kMaxWireName) return make_error("name is longer than 255 octets");
    ++at;
    if (length == 0) break;
    if (length > kMaxLabel) return make_error("label is longer than 63 octets");
    if (wire.size() - at < length) return make_error("name is truncated");
    if (!name.empty()) name += '.';
    for (std::size_t i = 0; i < length; ++i) {
      const std::uint8_t b = wire[at + i];
      if (!label_byte_ok(b)) return make_error("name has a byte not allowed in a host name");
      name += base::ascii_lower(static_cast<char>(b));
    }
    at += length;
  }
  offset = at;
  if (name.empty()) return std::string(1, '.');  // the root
  return name;
}

Result<asio::ip::address> parse_a(Bytes rdata) {
  if (rdata.size() != 4) return make_error("A record is not 4 bytes");
  asio::ip::address_v4::bytes_type bytes;
  std::copy(rdata.begin(), rdata.end(), bytes.begin());
  return asio::ip::address(asio::ip::address_v4(bytes));
}

Result<asio::ip::address> parse_aaaa(Bytes rdata) {
  if (rdata.size() != 16) return make_error("AAAA record is not 16 bytes");
  asio::ip::address_v6::bytes_type bytes;
  std::copy(rdata.begin(), rdata.end(), bytes.begin());
  return asio::ip::address(asio::ip::address_v6(bytes));
}

Result<Mx> parse_mx(Bytes rdata) {
  if (rdata.size() < 3) return make_error("MX record is truncated");
  Mx mx;
  mx.preference = read16(rdata, 0);
  auto exchange = parse_whole_name(rdata, 2, "MX exchange");
  if (!exchange) return exchange.error();
  mx.exchange = std::move(exchange).value();
  return mx;
}

Result<std::string> parse_txt(Bytes rdata) {
  // RFC 1035 §3.3.14: one or more <character-string>s; an empty rdata has none.
  if (rdata.empty()) return make_error("TXT record is empty");
  std::string text;
  std::size_t at = 0;
  while (at < rdata.size()) {
    const std::size_t length = rdata[at++];
    if (rdata.size() - at < length) return make_error("TXT character-string is truncated");
    text.append(reinterpret_cast<const char*>(rdata.data() + at), length);
    at += length;
  }
  return text;
}

Result<Tlsa> parse_tlsa(Bytes rdata) {
  // RFC 6698 §2.1: three one-byte fields and at least one byte of data.
  if (rdata.size() < 4) return make_error("TLSA record is truncated");
  Tlsa tlsa;
  tlsa.usage = rdata[0];
  tlsa.selector = rdata[1];
  tlsa.matching_type = rdata[2];
  tlsa.data.assign(rdata.begin() + 3, rdata.end());
  return tlsa;
}

Result<std::string> parse_cname(Bytes rdata) {
  return parse_whole_name(rdata, 0, "CNAME target");
}

Result<void> append_rdata(RecordType type, Bytes rdata, Answer& answer) {
  switch (type) {
    case RecordType::A:
    case RecordType::AAAA: {
      auto address = type == RecordType::A ? parse_a(rdata) : parse_aaaa(rdata);
      if (!address) return address.error();
      answer.addresses.push_back(*address);
      return {};
    }
    case RecordType::MX: {
      auto mx = parse_mx(rdata);
      if (!mx) return mx.error();
      answer.mx.push_back(std::move(mx).value());
      return {};
    }
    case RecordType::TXT: {
      auto txt = parse_txt(rdata);
      if (!txt) return txt.error();
      answer.txt.push_back(std::move(txt).value());
      return {};
    }
    case RecordType::TLSA: {
      auto tlsa = parse_tlsa(rdata);
      if (!tlsa) return tlsa.error();
      answer.tlsa.push_back(std::move(tlsa).value());
      return {};
    }
    case RecordType::CNAME: {
      auto target = parse_cname(rdata);
      if (!target) return target.error();
      answer.cname.push_back(std::move(target).value());
      return {};
    }
  }
  return make_error("unsupported record type");
}

}  // namespace herald::dns
