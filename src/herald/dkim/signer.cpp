// dkim::signer — OpenSSL EVP signing and the DKIM-Signature field layout.
// The layout is hand-written so the field folds where we choose, since the
// fold before b= is part of what gets signed.
#include "herald/dkim/signer.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <string>

#include "herald/base/base64.hpp"
#include "herald/dkim/tag_list.hpp"

namespace herald::dkim {
namespace {

constexpr std::size_t kFoldColumn = 76;

base::Result<PkeyPtr> read_private_key(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return base::make_error("out of memory reading the DKIM key");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return base::make_error("the DKIM private key is not a readable PEM key");
  return PkeyPtr(key);
}

base::Result<std::string> digest_sign(EVP_PKEY* key, const EVP_MD* md, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return base::make_error("out of memory signing");
  std::string sig;
  std::size_t len = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  bool ok = EVP_DigestSignInit(ctx, nullptr, md, nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, bytes, data.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, bytes,
                        data.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return base::make_error("the DKIM signing operation failed");
  return sig;
}

// Lays out tokens on lines of at most kFoldColumn, folding with CRLF SP. A
// glued token follows the previous one without a space when it fits.
class FieldLayout {
 public:
  explicit FieldLayout(std::string start) : text_(std::move(start)), column_(text_.size()) {}

  void add(std::string_view token, bool glued = false) {
    std::size_t extra = glued ? 0 : 1;
    if (column_ + extra + token.size() > kFoldColumn && column_ > 1) {
      text_ += "\r\n ";
      column_ = 1;
    } else if (!glued) {
      text_ += ' ';
      ++column_;
    }
    text_ += token;
    column_ += token.size();
  }

  // Appends a value that may break anywhere (base64), filling each line.
  void add_breakable(std::string_view value) {
    while (!value.empty()) {
      if (column_ >= kFoldColumn) {
        text_ += "\r\n ";
        column_ = 1;
      }
      std::size_t n = std::min(value.size(), kFoldColumn - column_);
      text_ += value.substr(0, n);
      column_ += n;
      value.remove_prefix(n);
    }
  }

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::size_t column_;
};

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool safe_tag_value(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (c <= ' ' || c == ';' || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

void PkeyDeleter::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

std::string_view algorithm_name(Algorithm algorithm) {
  return algorithm == Algorithm::kRsaSha256 ? "rsa-sha256" : "ed25519-sha256";
}

base::Result<std::unique_ptr<RsaSha256Signer>> RsaSha256Signer::from_pem(std::string_view pem) {
  auto key = read_private_key(pem);
  if (!key) return key.error();
  if (EVP_PKEY_get_base_id(key->get()) != EVP_PKEY_RSA) {
    return base::make_error("the DKIM key is not an RSA key");
  }
  if (EVP_PKEY_get_bits(key->get()) < 1024) {
    return base::make_error("the RSA DKIM key is shorter than 1024 bits (RFC 8301)");
  }
  return std::unique_ptr<RsaSha256Signer>(new RsaSha256Signer(std::move(*key)));
}

base::Result<std::string> RsaSha256Signer::sign(std::string_view data_to_sign) {
  return digest_sign(key_.get(), EVP_sha256(), data_to_sign);
}

base::Result<std::unique_ptr<Ed25519Sha256Signer>> Ed25519Sha256Signer::from_pem(
    std::string_view pem) {
  auto key = read_private_key(pem);
  if (!key) return key.error();
  if (EVP_PKEY_get_base_id(key->get()) != EVP_PKEY_ED25519) {
    return base::make_error("the DKIM key is not an Ed25519 key");
  }
  return std::unique_ptr<Ed25519Sha256Signer>(new Ed25519Sha256Signer(std::move(*key)));
}

base::Result<std::string> Ed25519Sha256Signer::sign(std::string_view data_to_sign) {
  // Ed25519 takes no digest parameter; the SHA-256 step is RFC 8463's.
  return digest_sign(key_.get(), nullptr, sha256(data_to_sign));
}

base::Result<std::unique_ptr<Signer>> signer_from_pem(std::string_view pem) {
  auto key = read_private_key(pem);
  if (!key) return key.error();
  if (EVP_PKEY_get_base_id(key->get()) == EVP_PKEY_ED25519) {
    auto s = Ed25519Sha256Signer::from_pem(pem);
    if (!s) return s.error();
    return std::unique_ptr<Signer>(std::move(*s));
  }
  auto s = RsaSha256Signer::from_pem(pem);
  if (!s) return s.error();
  return std::unique_ptr<Signer>(std::move(*s));
}

const std::vector<std::string>& default_signed_headers() {
  static const std::vector<std::string> names = {"From",
                                                 "To",
                                                 "Cc",
                                                 "Subject",
                                                 "Date",
                                                 "Message-ID",
                                                 "MIME-Version",
                                                 "Content-Type",
                                                 "Reply-To",
                                                 "List-Unsubscribe",
                                                 "List-Unsubscribe-Post"};
  return names;
}

std::vector<std::string> choose_signed_headers(const std::vector<HeaderField>& fields) {
  std::vector<std::string> names;
  for (const auto& wanted : default_signed_headers()) {
    std::size_t count = 0;
    for (const auto& f : fields) {
      if (header_name_equals(f.name, wanted)) ++count;
    }
    if (header_name_equals(wanted, "From")) ++count;  // over-sign From
    for (std::size_t i = 0; i < count; ++i) names.push_back(lower_ascii(wanted));
  }
  return names;
}

std::string signing_input(const std::vector<HeaderField>& fields,
                          const std::vector<std::string>& signed_names,
                          std::string_view signature_field, Canonicalization header_canon) {
  std::string data;
  for (const HeaderField* f : select_fields(fields, signed_names)) {
    if (f == nullptr) continue;  // a name listed beyond its occurrences hashes nothing
    data += header_canon == Canonicalization::kRelaxed ? canonicalize_header_relaxed(f->raw)
                                                       : canonicalize_header_simple(f->raw);
  }
  std::string own = strip_b_value(signature_field);
  if (header_canon == Canonicalization::kRelaxed) {
    own = canonicalize_header_relaxed(own);
    own.resize(own.size() - 2);  // the signature field is hashed without its CRLF
  }
  data += own;
  return data;
}

base::Result<std::string> make_signature_header(const SignRequest& request) {
  if (request.signer == nullptr) return base::make_error("no DKIM signer given");
  if (!safe_tag_value(request.domain) || !safe_tag_value(request.selector)) {
    return base::make_error("DKIM domain or selector is empty or has forbidden characters");
  }
  if (request.body_hash.size() != 32) return base::make_error("the body hash is not SHA-256");
  auto fields = parse_header_section(request.header_section);
  if (!fields) return fields.error();

  std::vector<std::string> names =
      request.header_names.empty() ? choose_signed_headers(*fields) : request.header_names;
  bool has_from = false;
  for (const auto& n : names) {
    if (!safe_tag_value(n) || n.find(':') != std::string::npos) {
      return base::make_error("bad header name to sign: '" + n + "'");
    }
    has_from = has_from || header_name_equals(n, "From");
  }
  if (!has_from) return base::make_error("a DKIM signature must sign From (RFC 6376 §5.4)");

  FieldLayout layout("DKIM-Signature:");
  layout.add("v=1;");
  layout.add("a=" + std::string(algorithm_name(request.signer->algorithm())) + ";");
  layout.add("c=relaxed/relaxed;");
  layout.add("d=" + request.domain + ";");
  layout.add("s=" + request.selector + ";");
  layout.add("t=" + std::to_string(request.timestamp) + ";");
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string token = (i == 0 ? "h=" : "") + names[i] + (i + 1 == names.size() ? ";" : ":");
    layout.add(token, i != 0);
  }
  layout.add("bh=" + base::base64_encode(request.body_hash) + ";");
  layout.add("b=");

  std::string data = signing_input(*fields, names, layout.text(), Canonicalization::kRelaxed);
  auto signature = request.signer->sign(data);
  if (!signature) return signature.error();
  layout.add_breakable(base::base64_encode(*signature));
  return layout.text() + "\r\n";
}

}  // namespace herald::dkim
