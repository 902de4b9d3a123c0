#include "herald/spool/message_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "herald/spool/file_descriptor.hpp"

namespace herald::spool {
namespace {

constexpr std::string_view kMagic = "\nHERALD-ENVELOPE-1 ";
constexpr std::size_t kDigits = kFooterSize - kMagic.size() - 1;
static_assert(kDigits == 12, "the footer is 32 octets: magic, 12 hex digits, LF");

// pread until `n` octets or end of file.
base::Result<std::string> read_at(int fd, std::uint64_t offset, std::size_t n,
                                  std::string_view what) {
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno_error(errno, what);
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  return out;
}

}  // namespace

std::string message_trailer(const Envelope& envelope) {
  std::string json = envelope_to_json(envelope);
  std::string footer = fmt::format("{}{:012x}\n", kMagic, json.size());
  return json + footer;
}

base::Result<std::uint64_t> parse_footer(std::string_view footer) {
  if (footer.size() != kFooterSize || footer.substr(0, kMagic.size()) != kMagic ||
      footer.back() != '\n') {
    return base::make_error("no envelope footer at the end of the file");
  }
  std::uint64_t length = 0;
  for (char c : footer.substr(kMagic.size(), kDigits)) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) return base::make_error("the envelope footer's length is not hexadecimal");
    length = length * 16 + static_cast<std::uint64_t>(v);
  }
  return length;
}

namespace {

// Where the trailer starts (= the body's size) and the envelope's length.
struct TrailerPosition {
  std::uint64_t body_size = 0;
  std::uint64_t length = 0;
};

base::Result<TrailerPosition> read_footer(int fd, std::string_view name) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error(errno, fmt::format("stat {}", name));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < kFooterSize) {
    return base::make_error(fmt::format("{} is too short to hold an envelope", name));
  }
  auto footer = read_at(fd, size - kFooterSize, kFooterSize, fmt::format("read {}", name));
  if (!footer) return footer.error();
  auto length = parse_footer(*footer);
  if (!length) return base::make_error(fmt::format("{}: {}", name, length.error().message));
  // An envelope is a few KB; a huge length is damage, not data.
  if (*length > size - kFooterSize || *length > 64u * 1024 * 1024) {
    return base::make_error(
        fmt::format("{}: the envelope footer gives an impossible length", name));
  }
  return TrailerPosition{size - kFooterSize - *length, *length};
}

}  // namespace

base::Result<std::uint64_t> read_body_size(int fd, std::string_view name) {
  auto at = read_footer(fd, name);
  if (!at) return at.error();
  return at->body_size;
}

base::Result<MessageFile> read_message_file(int fd, std::string_view name) {
  auto at = read_footer(fd, name);
  if (!at) return at.error();
  auto json = read_at(fd, at->body_size, static_cast<std::size_t>(at->length),
                      fmt::format("read the envelope of {}", name));
  if (!json) return json.error();
  if (json->size() != at->length) {
    return base::make_error(fmt::format("{}: the envelope is cut short", name));
  }
  auto envelope = envelope_from_json(*json);
  if (!envelope) return base::make_error(fmt::format("{}: {}", name, envelope.error().message));
  if (envelope->size != at->body_size) {
    return base::make_error(
        fmt::format("{}: the envelope says {} octets of body, the file holds {}", name,
                    envelope->size, at->body_size));
  }
  return MessageFile{std::move(*envelope), at->body_size};
}

BodyReader::BodyReader(const std::string& path, std::uint64_t size)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), path_(path), left_(size) {
  if (!fd_.valid()) error_ = errno_error(errno, "open " + path).message;
}

std::size_t BodyReader::read(char* buf, std::size_t max) {
  if (!ok() || left_ == 0) return 0;
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(max, left_));
  for (;;) {
    const ssize_t n = ::read(fd_.get(), buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = errno_error(errno, "read " + path_).message;
      return 0;
    }
    if (n == 0) {
      error_ = path_ + " is shorter than its message";
      return 0;
    }
    left_ -= static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }
}

base::Result<std::string> read_body(const std::string& path, std::uint64_t size,
                                    std::uint64_t max) {
  BodyReader reader(path, std::min(size, max));
  std::string out;
  char buf[64 * 1024];
  while (std::size_t n = reader.read(buf, sizeof buf)) out.append(buf, n);
  if (!reader.ok()) return base::make_error(reader.error());
  return out;
}

}  // namespace herald::spool
