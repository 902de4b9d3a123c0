#include "herald/submission/dkim_keyring.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "herald/base/ascii.hpp"

namespace herald::submission {
namespace {

base::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::make_error("cannot read DKIM key " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

DkimKeyring::DkimKeyring(store::PolicyStore& store) : store_(store) {}

base::Result<std::shared_ptr<const DkimKeyring::Entry>> DkimKeyring::keys_for(
    const std::string& domain) {
  const auto version = store_.policy_version();
  std::shared_ptr<const Entry> cached;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(domain);
    if (it != cache_.end()) cached = it->second;
  }
  if (cached && version && cached->version == version) return cached;

  auto rows = store_.list_dkim_keys(domain);
  if (!rows) return rows.error();
  std::string fingerprint;
  for (const auto& row : *rows) {
    if (row.state != "active" && row.state != "retiring") continue;
    fingerprint += row.selector + '\n' + row.key_file + '\n' + row.state + '\n';
  }
  auto entry = std::make_shared<Entry>();
  entry->version = version;
  entry->fingerprint = fingerprint;
  if (cached && cached->fingerprint == fingerprint) {
    entry->keys = cached->keys;  // the same keys: no need to parse them again
  } else {
    for (const auto& row : *rows) {
      if (row.state != "active" && row.state != "retiring") continue;
      auto pem = read_file(row.key_file);
      if (!pem) return pem.error();
      auto signer = dkim::signer_from_pem(*pem);
      if (!signer)
        return base::make_error("DKIM key " + row.key_file + ": " + signer.error().message);
      entry->keys.push_back(std::make_shared<const Key>(Key{row.selector, std::move(*signer)}));
    }
  }
  std::lock_guard lock(mu_);
  // A bounded cache: one entry per sending domain ever seen, reset whole
  // if a flood of unknown domains were ever to fill it.
  if (cache_.size() > 10000) cache_.clear();
  cache_[domain] = entry;
  return std::shared_ptr<const Entry>(entry);
}

base::Result<DkimSignature> DkimKeyring::sign(std::string_view from_domain,
                                              std::string_view header_section,
                                              const std::string& body_hash, std::int64_t now) {
  std::string domain = base::ascii_lower(from_domain);
  // Walk up to the registered domain: a.b.example, b.example (never a TLD).
  while (true) {
    auto entry = keys_for(domain);
    if (!entry) return entry.error();
    if (!(*entry)->keys.empty()) {
      DkimSignature out{domain, {}, {}, {}};
      for (const auto& key : (*entry)->keys) {
        dkim::SignRequest request;
        request.domain = domain;
        request.selector = key->selector;
        request.header_section = header_section;
        request.body_hash = body_hash;
        request.signer = key->signer.get();
        request.timestamp = now;
        auto field = dkim::make_signature_header(request);
        if (!field) return field.error();
        out.header += *field;
        out.algorithms.push_back(key->signer->algorithm());
        out.selectors += (out.selectors.empty() ? "" : ", ") + key->selector;
      }
      return out;
    }
    auto dot = domain.find('.');
    if (dot == std::string::npos || domain.find('.', dot + 1) == std::string::npos) break;
    domain = domain.substr(dot + 1);
  }
  return DkimSignature{};
}

}  // namespace herald::submission
