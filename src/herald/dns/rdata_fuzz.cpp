// libFuzzer target for the dns rdata parsers: any bytes must parse or fail
// cleanly, and whatever parses must respect the limits the parsers promise
// (names of at most 253 characters made of host-name bytes, lowercase).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "herald/dns/rdata.hpp"

namespace {

using herald::dns::RecordType;

void check_name(const std::string& name) {
  if (name == ".") return;
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') std::abort();
  for (char c : name) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f || c == '\\' || (c >= 'A' && c <= 'Z')) std::abort();
  }
  if (name.find("..") != std::string::npos) std::abort();
}

constexpr RecordType kTypes[] = {RecordType::A,   RecordType::AAAA, RecordType::MX,
                                 RecordType::TXT, RecordType::TLSA, RecordType::CNAME};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const RecordType type = kTypes[data[0] % 6];
  const std::span<const std::uint8_t> rdata(data + 1, size - 1);
  herald::dns::Answer answer;
  const auto added = herald::dns::append_rdata(type, rdata, answer);
  if (!added.ok()) {
    if (answer.size() != 0 || added.error().message.empty()) std::abort();
    return 0;
  }
  if (answer.size() != 1) std::abort();
  for (const auto& mx : answer.mx) check_name(mx.exchange);
  for (const auto& target : answer.cname) check_name(target);
  for (const auto& tlsa : answer.tlsa) {
    if (tlsa.data.size() + 3 != rdata.size()) std::abort();
  }
  for (const auto& txt : answer.txt) {
    if (txt.size() >= rdata.size()) std::abort();  // every string has a length byte
  }
  return 0;
}
