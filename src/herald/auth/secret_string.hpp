// auth::SecretString — a move-only byte buffer for passwords and decoded
// SASL responses that is zeroed (sodium_memzero) when destroyed or moved
// from. Must not be copied implicitly, logged or formatted.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace herald::auth {

// Why not std::string: its moves and reallocations may leave copies of the
// bytes behind (small-string buffers), so it cannot promise a wipe. This
// owns exactly one heap buffer and wipes all of it.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view text);
  // A zero-filled buffer of `size` bytes, to be written through data().
  static SecretString zeroed(std::size_t size);

  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString();

  std::string_view view() const { return {buf_.get(), size_}; }
  char* data() { return buf_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Shortens the visible text; the bytes past it are zeroed now.
  void truncate(std::size_t size);
  // Zeroes and releases the buffer; the string becomes empty.
  void wipe();

 private:
  std::unique_ptr<char[]> buf_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace herald::auth
