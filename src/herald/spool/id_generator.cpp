// spool::IdGenerator — time-ordered, collision-resistant queue IDs.
// Base32 is hand-written (twenty lines) because the alphabet must sort in
// ASCII order and stay lowercase for case-insensitive file systems.

#include "herald/spool/id_generator.hpp"

#include <sys/random.h>

#include <chrono>
#include <mutex>

namespace herald::spool {
namespace {

// Crockford's alphabet in lowercase: ascending ASCII, no i/l/o/u.
constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr int kTimeChars = 11;   // 55 bits of microseconds: good until year 3111
constexpr int kRandomChars = 5;  // 25 bits
static_assert(kTimeChars + kRandomChars == IdGenerator::kLength);

int digit_value(char c) {
  auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// splitmix64 seeded from the kernel CSPRNG: the IDs need to differ between
// processes, not to be secret, so one getrandom() per process is enough.
struct State {
  std::mutex mutex;
  std::uint64_t last_micros = 0;
  std::uint64_t rng = 0;
  bool seeded = false;

  std::uint64_t next_random() {
    if (!seeded) {
      if (::getrandom(&rng, sizeof rng, 0) != static_cast<ssize_t>(sizeof rng)) {
        rng =
            static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
      }
      seeded = true;
    }
    std::uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

State& state() {
  static State s;
  return s;
}

}  // namespace

std::string IdGenerator::make(std::uint64_t unix_micros, std::uint32_t random25) {
  std::string id(kLength, '0');
  std::uint64_t t = unix_micros & ((std::uint64_t{1} << 55) - 1);
  for (int i = kTimeChars - 1; i >= 0; --i) {
    id[i] = kAlphabet[t & 31];
    t >>= 5;
  }
  std::uint32_t r = random25 & ((1u << 25) - 1);
  for (int i = kLength - 1; i >= kTimeChars; --i) {
    id[i] = kAlphabet[r & 31];
    r >>= 5;
  }
  return id;
}

std::string IdGenerator::next() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto micros = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(now).count());
  std::uint32_t random25;
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    // Bursts faster than 1 MHz (or a clock stepped back) run slightly ahead
    // of real time instead of repeating or reordering IDs.
    if (micros <= s.last_micros) micros = s.last_micros + 1;
    s.last_micros = micros;
    random25 = static_cast<std::uint32_t>(s.next_random() >> 39);
  }
  return make(micros, random25);
}

bool IdGenerator::valid(std::string_view id) {
  if (id.size() != kLength) return false;
  for (char c : id) {
    if (digit_value(c) < 0) return false;
  }
  return true;
}

std::uint64_t IdGenerator::unix_micros(std::string_view id) {
  std::uint64_t t = 0;
  for (int i = 0; i < kTimeChars && i < static_cast<int>(id.size()); ++i) {
    int v = digit_value(id[i]);
    if (v < 0) return 0;
    t = (t << 5) | static_cast<std::uint64_t>(v);
  }
  return t;
}

}  // namespace herald::spool
