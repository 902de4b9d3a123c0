// dkim::key_generator — new DKIM key pairs (RSA-2048, Ed25519) as a PEM
// private key plus the DNS TXT record value, and zone-file TXT splitting.
// Returns strings only: writing key files (mode 0600) is the caller's job.
#pragma once

#include <string>
#include <string_view>

#include "herald/base/result.hpp"
#include "herald/dkim/signer.hpp"

namespace herald::dkim {

struct KeyPair {
  Algorithm algorithm;
  std::string private_key_pem;  // PKCS#8 "PRIVATE KEY"
  std::string dns_txt;          // "v=DKIM1; k=rsa; p=..." or "v=DKIM1; k=ed25519; p=..."
};

base::Result<KeyPair> generate_key_pair(Algorithm algorithm);

// The TXT record value publishing the public half of a PEM private key: RSA
// as base64 SubjectPublicKeyInfo DER, Ed25519 as base64 of the raw 32 bytes
// (RFC 8463 §4).
base::Result<std::string> dns_txt_for_private_key(std::string_view pem);

// `"part1" "part2"`: the value cut into quoted character-strings of at most
// 255 octets each (RFC 1035 §3.3.14), with '"' and '\' escaped.
std::string zone_file_txt(std::string_view value);

}  // namespace herald::dkim
