// submission::DkimKeyring — the DKIM keys of the sending domains, loaded
// from the store and the key files and kept while the store says they are
// unchanged, and signing a message's header section with them. Runs on
// worker threads only: it reads SQLite and files, and RSA signing costs
// about a millisecond.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/dkim/signer.hpp"
#include "herald/store/store.hpp"

namespace herald::submission {

struct DkimSignature {
  std::string domain;                       // d=
  std::string selectors;                    // "s1, s2" for the log
  std::string header;                       // the DKIM-Signature field(s), CRLF-terminated
  std::vector<dkim::Algorithm> algorithms;  // one per signature, for the metrics
};

class DkimKeyring {
 public:
  explicit DkimKeyring(store::PolicyStore& store);

  // Signs with every active and retiring key of the nearest domain at or
  // above `from_domain` that has keys (news.acme.example falls back to
  // acme.example, which keeps relaxed DMARC alignment). Retiring keys
  // still sign so that mail verifies whichever record receivers see while
  // a rotation's new record propagates. An empty header means no key.
  base::Result<DkimSignature> sign(std::string_view from_domain, std::string_view header_section,
                                   const std::string& body_hash, std::int64_t now);

 private:
  struct Key {
    std::string selector;
    std::unique_ptr<dkim::Signer> signer;
  };
  struct Entry {
    // The store's policy version before the rows were read: while it holds,
    // nothing (a rotation, a retirement, a removed domain) can have changed.
    std::optional<std::uint64_t> version;
    // selector, key file and state of each signing key: when the counter
    // moved but these did not (the usual case: the audit trail or delivery
    // committed), the parsed keys are kept rather than read again.
    std::string fingerprint;
    std::vector<std::shared_ptr<const Key>> keys;
  };
  base::Result<std::shared_ptr<const Entry>> keys_for(const std::string& domain);

  store::PolicyStore& store_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> cache_;
};

}  // namespace herald::submission
