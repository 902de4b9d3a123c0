// dkim::canonicalization — RFC 6376 §3.4 canonical forms and the streaming
// relaxed body hasher. Hand-written because it sits on the DATA path and must
// stream in constant memory, which no packaged DKIM library offers in C++.
#include "herald/dkim/canonicalization.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

#include "herald/base/ascii.hpp"

namespace herald::dkim {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

std::string_view strip_final_crlf(std::string_view s) {
  if (s.ends_with("\r\n")) s.remove_suffix(2);
  return s;
}

}  // namespace

std::string canonicalize_header_relaxed(std::string_view raw_field) {
  std::string_view field = strip_final_crlf(raw_field);
  std::size_t colon = field.find(':');
  std::string_view name = field.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : field.substr(colon + 1);

  std::string out;
  out.reserve(field.size() + 2);
  // The name loses its case and any white space before the colon.
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  for (char c : name) out.push_back(base::ascii_lower(c));
  out.push_back(':');

  // Unfold (drop CR and LF), collapse WSP runs, trim both ends of the value.
  bool pending_space = false;
  bool started = false;
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;
    if (is_wsp(c)) {
      pending_space = started;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    started = true;
    out.push_back(c);
  }
  out += "\r\n";
  return out;
}

std::string canonicalize_header_simple(std::string_view raw_field) {
  std::string out(strip_final_crlf(raw_field));
  out += "\r\n";
  return out;
}

std::string canonicalize_body_simple(std::string_view body) {
  // Trailing empty lines go; an empty body becomes a single CRLF (§3.4.3).
  while (body.ends_with("\r\n\r\n")) body.remove_suffix(2);
  if (body == "\r\n") return "\r\n";
  std::string out(body);
  if (out.empty() || !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

std::string canonicalize_body_relaxed(std::string_view body) {
  // The same rules as RelaxedBodyHasher, written out whole; the tests hold
  // the two to the same digests.
  std::string out;
  std::size_t empty_lines = 0;
  bool wsp = false;
  bool content = false;
  auto put = [&](char c) {
    if (!content) {
      for (; empty_lines > 0; --empty_lines) out += "\r\n";
    }
    if (wsp) out.push_back(' ');
    wsp = false;
    content = true;
    out.push_back(c);
  };
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
      ++i;
      wsp = false;
      if (content) {
        out += "\r\n";
        content = false;
      } else {
        ++empty_lines;
      }
    } else if (is_wsp(c)) {
      wsp = true;
    } else {
      put(c);
    }
  }
  if (content) out += "\r\n";
  return out;
}

std::string sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(sha256) failed");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

struct RelaxedBodyHasher::Digest {
  EVP_MD_CTX* ctx = nullptr;
  Digest() : ctx(EVP_MD_CTX_new()) {
    if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(ctx);
      throw std::runtime_error("cannot initialise SHA-256");
    }
  }
  ~Digest() { EVP_MD_CTX_free(ctx); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
};

RelaxedBodyHasher::RelaxedBodyHasher() : digest_(std::make_unique<Digest>()) {
  out_.reserve(4096);
}
RelaxedBodyHasher::~RelaxedBodyHasher() = default;
RelaxedBodyHasher::RelaxedBodyHasher(RelaxedBodyHasher&&) noexcept = default;
RelaxedBodyHasher& RelaxedBodyHasher::operator=(RelaxedBodyHasher&&) noexcept = default;

void RelaxedBodyHasher::emit(std::string_view bytes) {
  out_.append(bytes);
  if (out_.size() >= 4096) {
    EVP_DigestUpdate(digest_->ctx, out_.data(), out_.size());
    out_.clear();
  }
}

void RelaxedBodyHasher::emit_pending_empty_lines() {
  // Empty lines are only known not to be trailing once content follows them.
  static constexpr std::string_view kCrlfs =
      "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
  while (pending_empty_lines_ > 0) {
    std::size_t n = std::min(pending_empty_lines_, kCrlfs.size() / 2);
    emit(kCrlfs.substr(0, 2 * n));
    pending_empty_lines_ -= n;
  }
}

void RelaxedBodyHasher::content_byte(char c) {
  if (!line_has_content_) emit_pending_empty_lines();
  if (pending_wsp_) emit(" ");
  pending_wsp_ = false;
  line_has_content_ = true;
  emit(std::string_view(&c, 1));
}

void RelaxedBodyHasher::update(std::string_view chunk) {
  for (char c : chunk) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        // End of line: trailing white space is dropped, empty lines wait.
        pending_wsp_ = false;
        if (line_has_content_) {
          emit("\r\n");
          line_has_content_ = false;
        } else {
          ++pending_empty_lines_;
        }
        continue;
      }
      content_byte('\r');  // a bare CR is ordinary content
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else if (is_wsp(c)) {
      pending_wsp_ = true;
    } else {
      content_byte(c);
    }
  }
}

std::string RelaxedBodyHasher::finish() {
  if (pending_cr_) {
    pending_cr_ = false;
    content_byte('\r');
  }
  // A last line without CRLF gets one (§3.4.4); trailing empty lines vanish.
  if (line_has_content_) emit("\r\n");
  line_has_content_ = false;
  pending_empty_lines_ = 0;
  pending_wsp_ = false;
  if (!out_.empty()) EVP_DigestUpdate(digest_->ctx, out_.data(), out_.size());
  out_.clear();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(digest_->ctx, md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace herald::dkim
