// net::write_self_signed — a throwaway certificate for `herald init`, so a
// new install speaks TLS at once. Production uses a real certificate.
#pragma once

#include <string>

#include "herald/base/result.hpp"

namespace herald::net {

// ECDSA P-256 key and a certificate for `hostname` (CN and subjectAltName),
// valid for `days`. The key file is written with mode 0600.
base::Result<void> write_self_signed(const std::string& hostname, const std::string& cert_path,
                                     const std::string& key_path, int days = 365);

}  // namespace herald::net
