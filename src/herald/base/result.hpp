// base::Result — a value or an Error with a sentence a person can act on.
// Used across modules instead of exceptions for expected failures (bad
// input, missing files); exceptions stay for programming errors.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace herald::base {

// What kind of failure, so callers decide by type and never by searching
// the message (which is for people). The admin API maps these to HTTP
// statuses; `failed` is anything unexpected (a broken disk, a bug).
enum class ErrorKind {
  failed,       // unexpected: 500
  invalid,      // the input is wrong: 400/422
  not_found,    // what it names does not exist: 404
  conflict,     // it exists already, or something still depends on it: 409
  forbidden,    // the caller may not do this: 403
  unavailable,  // try again later (database busy or unreachable): 503
};

struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::failed;
};

// A value or an error of type E. Result<T> (errors for people, with a
// kind) is the common case; modules with their own typed errors (the HTTP
// body decoder) use BasicResult with theirs.
template <class T, class E>
class [[nodiscard]] BasicResult {
 public:
  BasicResult(T value) : v_(std::move(value)) {}
  BasicResult(E error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] BasicResult<void, E> {
 public:
  BasicResult() = default;
  BasicResult(E error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return error_; }

 private:
  E error_{};
  bool ok_ = true;
};

template <class T>
using Result = BasicResult<T, Error>;

inline Error make_error(std::string message) {
  return Error{std::move(message)};
}

inline Error make_error(ErrorKind kind, std::string message) {
  return Error{std::move(message), kind};
}

}  // namespace herald::base
