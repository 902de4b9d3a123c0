// auth::SecretString — allocation and wiping.
// All zeroing goes through sodium_memzero so the compiler cannot drop it.

#include "herald/auth/secret_string.hpp"

#include <sodium.h>

#include <cstring>
#include <utility>

namespace herald::auth {

SecretString::SecretString(std::string_view text)
    : buf_(text.empty() ? nullptr : new char[text.size()]),
      size_(text.size()),
      capacity_(text.size()) {
  if (!text.empty()) std::memcpy(buf_.get(), text.data(), text.size());
}

SecretString SecretString::zeroed(std::size_t size) {
  SecretString s;
  if (size > 0) {
    s.buf_.reset(new char[size]());
    s.size_ = s.capacity_ = size;
  }
  return s;
}

SecretString::SecretString(SecretString&& other) noexcept
    : buf_(std::move(other.buf_)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    wipe();
    buf_ = std::move(other.buf_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

SecretString::~SecretString() {
  wipe();
}

void SecretString::truncate(std::size_t size) {
  if (size >= size_) return;
  sodium_memzero(buf_.get() + size, size_ - size);
  size_ = size;
}

void SecretString::wipe() {
  if (buf_) sodium_memzero(buf_.get(), capacity_);
  buf_.reset();
  size_ = capacity_ = 0;
}

}  // namespace herald::auth
