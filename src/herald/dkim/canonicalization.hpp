// dkim::canonicalization — RFC 6376 §3.4 header and body canonicalization,
// with a streaming relaxed body hasher fed while DATA/BDAT arrives.
// Pure: no I/O, no clock; the body hasher never buffers the body itself.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace herald::dkim {

enum class Canonicalization { kSimple, kRelaxed };

// "Name : a \r\n  b \r\n" -> "name:a b\r\n" (RFC 6376 §3.4.2). The input is one
// whole header field, with or without its final CRLF; the output always ends
// with CRLF.
std::string canonicalize_header_relaxed(std::string_view raw_field);

// Simple header canonicalization (§3.4.1) is the field unchanged; this only
// makes sure it ends with CRLF so both forms can be hashed the same way.
std::string canonicalize_header_simple(std::string_view raw_field);

// Whole-body canonical forms, for the verifier (which holds the message anyway).
std::string canonicalize_body_simple(std::string_view body);
std::string canonicalize_body_relaxed(std::string_view body);

// SHA-256 of a byte string, raw 32 bytes.
std::string sha256(std::string_view data);

// Streaming relaxed body canonicalization + SHA-256 (RFC 6376 §3.4.4). Fed the
// dot-unstuffed body in fragments of any size; the result does not depend on
// where the fragments split. It keeps only a count of pending empty lines and
// whether the current line has pending white space, so memory is constant.
class RelaxedBodyHasher {
 public:
  RelaxedBodyHasher();
  ~RelaxedBodyHasher();
  RelaxedBodyHasher(RelaxedBodyHasher&&) noexcept;
  RelaxedBodyHasher& operator=(RelaxedBodyHasher&&) noexcept;
  RelaxedBodyHasher(const RelaxedBodyHasher&) = delete;
  RelaxedBodyHasher& operator=(const RelaxedBodyHasher&) = delete;

  void update(std::string_view chunk);
  // Raw 32-byte SHA-256 of the canonical body. Call once; the hasher is spent.
  std::string finish();

 private:
  void emit(std::string_view bytes);
  void emit_pending_empty_lines();
  void content_byte(char c);

  struct Digest;
  std::unique_ptr<Digest> digest_;
  std::size_t pending_empty_lines_ = 0;
  bool pending_wsp_ = false;
  bool pending_cr_ = false;
  bool line_has_content_ = false;
  std::string out_;  // small staging buffer in front of the digest, flushed at 4 KiB
};

}  // namespace herald::dkim
