// libFuzzer: whatever bytes a queue/ID.msg holds (damage, a hand edit, a
// truncated write), reading it either fails cleanly or yields a body that
// ends exactly where the envelope trailer begins. And whatever a client
// puts in the envelope's strings, the serialized envelope parses back.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "herald/spool/file_descriptor.hpp"
#include "herald/spool/message_file.hpp"

using namespace herald::spool;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    Envelope e;
    e.id = "0123456789abcdef";
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    e.mail_from = std::string(text.substr(0, size / 2));
    e.helo = std::string(text.substr(size / 2));
    e.recipients.push_back({e.helo, "queued"});
    e.size = size;
    auto back = envelope_from_json(envelope_to_json(e));
    if (!back.ok() || back->size != e.size || back->recipients.size() != 1) std::abort();
  }
  FileDescriptor fd(::memfd_create("msg", MFD_CLOEXEC));
  if (!fd.valid()) std::abort();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!write_all(fd.get(), bytes, "write").ok()) std::abort();
  auto file = read_message_file(fd.get(), "fuzz.msg");
  if (!file.ok()) return 0;
  if (file->body_size > size) std::abort();
  if (file->envelope.size != file->body_size) std::abort();
  // The trailer after the body parses back to the same footer length.
  auto footer = parse_footer(bytes.substr(size - kFooterSize));
  if (!footer.ok() || file->body_size + *footer + kFooterSize != size) std::abort();
  return 0;
}
