// auth::hash_password / verify_password — Argon2id password hashes in
// libsodium's self-describing string form ("$argon2id$v=19$m=...,t=...").
// Owns the cost parameters; must not touch the store or cache anything.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::auth {

// Cost of new hashes: OWASP's Argon2id baseline, t=2 passes over 19 MiB
// (p=1, libsodium's only choice). INTERACTIVE (64 MiB) was rejected: the
// session verifies on a worker pool, so N concurrent AUTHs need N times the
// memory, and 19 MiB keeps a burst on 8 workers near 150 MiB instead of
// 512 MiB. The verified-credentials cache (CredentialVerifier) removes the
// repeated cost for reconnecting clients. Hashes carry their parameters, so
// raising these later keeps old hashes valid (see password_hash_needs_rehash).
inline constexpr unsigned long long kArgon2OpsLimit = 2;
inline constexpr std::size_t kArgon2MemLimit = 19u * 1024u * 1024u;
// Longest password accepted for hashing; Argon2 pre-hashes its input, this
// only bounds what a caller can make us copy.
inline constexpr std::size_t kMaxPasswordLength = 4096;

// Initialises libsodium once per process (thread-safe). False only if the
// system cannot provide randomness; every function here checks it.
bool sodium_ready();

// A fresh Argon2id hash with a random salt. Refuses empty or overlong passwords.
base::Result<std::string> hash_password(std::string_view password);

// True when `password` matches `hash`. Takes the full Argon2 cost whether or
// not it matches; a malformed hash is simply false.
bool verify_password(std::string_view hash, std::string_view password);

// True when `hash` was made with other parameters than today's, so the
// caller may re-hash after a successful login.
bool password_hash_needs_rehash(std::string_view hash);

}  // namespace herald::auth
