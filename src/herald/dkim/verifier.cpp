// dkim::verifier — signature parsing, key record parsing and the EVP checks.
// Hand-written next to the signer so both share canonicalization and the
// signing-input builder; an asymmetry there would be invisible otherwise.
#include "herald/dkim/verifier.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "herald/base/base64.hpp"
#include "herald/dkim/tag_list.hpp"

namespace herald::dkim {
namespace {

SignatureResult make(VerifyStatus status, std::string reason) {
  SignatureResult r;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

bool parse_canon(std::string_view s, Canonicalization& out) {
  if (s == "simple") {
    out = Canonicalization::kSimple;
  } else if (s == "relaxed") {
    out = Canonicalization::kRelaxed;
  } else {
    return false;
  }
  return true;
}

std::string lower_ascii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Parses the key record and builds the public key; the message is the reason.
base::Result<PkeyPtr> public_key_from_record(std::string_view record, Algorithm algorithm) {
  auto tags = TagList::parse(record);
  if (!tags) return base::make_error("key record is malformed: " + tags.error().message);
  if (auto v = tags->get("v"); v && *v != "DKIM1") {
    return base::make_error("key record has v=" + *v + ", not DKIM1");
  }
  std::string k = tags->get("k").value_or("rsa");
  if (auto h = tags->get("h"); h && remove_fws(*h).find("sha256") == std::string::npos) {
    return base::make_error("key record does not allow sha256 (h=)");
  }
  auto p = tags->get("p");
  if (!p) return base::make_error("key record has no p= tag");
  std::string p64 = remove_fws(*p);
  if (p64.empty()) return base::make_error("key has been revoked (empty p=)");
  auto der = base::base64_decode(p64);
  if (!der) return base::make_error("key record p= is not valid base64");
  const auto* bytes = reinterpret_cast<const unsigned char*>(der->data());

  if (algorithm == Algorithm::kEd25519Sha256) {
    if (k != "ed25519")
      return base::make_error("key record k=" + k + " does not match a=ed25519-sha256");
    if (der->size() != 32) return base::make_error("Ed25519 key is not 32 bytes");
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes, 32);
    if (key == nullptr) return base::make_error("Ed25519 key is unusable");
    return PkeyPtr(key);
  }
  if (k != "rsa") return base::make_error("key record k=" + k + " does not match a=rsa-sha256");
  const unsigned char* cursor = bytes;
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der->size()));
  if (key == nullptr) {
    // Some publishers put a bare PKCS#1 RSAPublicKey in p=.
    cursor = bytes;
    key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, static_cast<long>(der->size()));
  }
  if (key == nullptr) return base::make_error("RSA key in p= cannot be decoded");
  PkeyPtr owned(key);
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return base::make_error("p= is not an RSA key");
  if (EVP_PKEY_get_bits(key) < 1024) {
    return base::make_error("RSA key shorter than 1024 bits (RFC 8301)");
  }
  return owned;
}

bool verify_signature(EVP_PKEY* key, Algorithm algorithm, std::string_view data,
                      std::string_view signature) {
  std::string digest;
  const EVP_MD* md = EVP_sha256();
  if (algorithm == Algorithm::kEd25519Sha256) {
    digest = sha256(data);
    data = digest;
    md = nullptr;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

bool is_subdomain_or_same(std::string_view sub, std::string_view domain) {
  std::string s = lower_ascii(std::string(sub));
  std::string d = lower_ascii(std::string(domain));
  return s == d || (s.size() > d.size() && s.ends_with(d) && s[s.size() - d.size() - 1] == '.');
}

SignatureResult verify_one(const HeaderField& field, const std::vector<HeaderField>& fields,
                           std::string_view body, const KeyLookup& lookup) {
  std::string_view raw = field.raw;
  auto tags = TagList::parse(raw.substr(raw.find(':') + 1));
  if (!tags) return make(VerifyStatus::kPermError, "malformed signature: " + tags.error().message);

  SignatureResult result;
  result.domain = tags->get("d").value_or("");
  result.selector = tags->get("s").value_or("");
  result.algorithm = tags->get("a").value_or("");
  auto fail = [&](VerifyStatus status, std::string reason) {
    result.status = status;
    result.reason = std::move(reason);
    return result;
  };

  for (const char* required : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (!tags->get(required)) {
      return fail(VerifyStatus::kPermError,
                  std::string("signature lacks the ") + required + "= tag");
    }
  }
  if (*tags->get("v") != "1") return fail(VerifyStatus::kPermError, "signature version is not 1");
  if (tags->get("l")) {
    return fail(VerifyStatus::kPermError, "l= (body length) signatures are not supported");
  }
  Algorithm algorithm;
  if (result.algorithm == "rsa-sha256") {
    algorithm = Algorithm::kRsaSha256;
  } else if (result.algorithm == "ed25519-sha256") {
    algorithm = Algorithm::kEd25519Sha256;
  } else {
    return fail(VerifyStatus::kPermError, "unsupported algorithm a=" + result.algorithm);
  }
  if (auto q = tags->get("q"); q && remove_fws(*q) != "dns/txt") {
    return fail(VerifyStatus::kPermError, "unsupported query method q=" + *q);
  }
  if (auto i = tags->get("i")) {
    std::size_t at = i->rfind('@');
    if (at == std::string::npos || !is_subdomain_or_same(i->substr(at + 1), result.domain)) {
      return fail(VerifyStatus::kPermError, "i= is not within the d= domain");
    }
  }

  Canonicalization header_canon = Canonicalization::kSimple;
  Canonicalization body_canon = Canonicalization::kSimple;
  if (auto c = tags->get("c")) {
    std::string cs = remove_fws(*c);
    std::size_t slash = cs.find('/');
    bool ok = parse_canon(cs.substr(0, slash), header_canon) &&
              (slash == std::string::npos || parse_canon(cs.substr(slash + 1), body_canon));
    if (!ok) return fail(VerifyStatus::kPermError, "unsupported canonicalization c=" + cs);
  }

  std::vector<std::string> names;
  {
    std::string h = remove_fws(*tags->get("h"));
    std::size_t pos = 0;
    while (pos <= h.size()) {
      std::size_t colon = h.find(':', pos);
      std::string name =
          h.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
      if (name.empty()) return fail(VerifyStatus::kPermError, "empty header name in h=");
      names.push_back(name);
      pos = colon == std::string::npos ? h.size() + 1 : colon + 1;
    }
  }
  bool signs_from = false;
  for (const auto& n : names) signs_from = signs_from || header_name_equals(n, "From");
  if (!signs_from) return fail(VerifyStatus::kPermError, "h= does not include From");

  auto bh = base::base64_decode(remove_fws(*tags->get("bh")));
  if (!bh) return fail(VerifyStatus::kPermError, "bh= is not valid base64");
  auto b = base::base64_decode(remove_fws(*tags->get("b")));
  if (!b) return fail(VerifyStatus::kPermError, "b= is not valid base64");

  std::string canonical_body = body_canon == Canonicalization::kRelaxed
                                   ? canonicalize_body_relaxed(body)
                                   : canonicalize_body_simple(body);
  if (sha256(canonical_body) != *bh) {
    return fail(VerifyStatus::kFail, "body hash does not match bh= (the body was changed)");
  }

  auto record = lookup(result.selector, result.domain);
  if (!record) {
    return fail(VerifyStatus::kTempError,
                "no key record at " + result.selector + "._domainkey." + result.domain);
  }
  auto key = public_key_from_record(*record, algorithm);
  if (!key) return fail(VerifyStatus::kPermError, key.error().message);

  std::string data = signing_input(fields, names, field.raw, header_canon);
  if (!verify_signature(key->get(), algorithm, data, *b)) {
    return fail(VerifyStatus::kFail, "signature b= does not verify (signed headers changed?)");
  }
  result.status = VerifyStatus::kPass;
  result.reason = "ok";
  return result;
}

}  // namespace

std::string_view status_name(VerifyStatus status) {
  switch (status) {
    case VerifyStatus::kPass:
      return "pass";
    case VerifyStatus::kFail:
      return "fail";
    case VerifyStatus::kPermError:
      return "permerror";
    case VerifyStatus::kTempError:
      return "temperror";
  }
  return "permerror";
}

std::vector<SignatureResult> verify_message(std::string_view message, const KeyLookup& lookup) {
  std::vector<SignatureResult> results;
  MessageParts parts = split_message(message);
  auto fields = parse_header_section(parts.header_section);
  if (!fields) {
    results.push_back(make(VerifyStatus::kPermError, "header section: " + fields.error().message));
    return results;
  }
  for (const auto& field : *fields) {
    if (header_name_equals(field.name, "DKIM-Signature")) {
      results.push_back(verify_one(field, *fields, parts.body, lookup));
    }
  }
  return results;
}

}  // namespace herald::dkim
