// auth::CramKey — key file handling and crypto_secretbox sealing of
// CRAM-MD5 secrets (libsodium). The key file is written beside its final
// name and hard-linked into place, so a reader never sees half a key and
// two processes creating it at once end up with the same one.

#include "herald/auth/cram_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "herald/auth/password_hash.hpp"
#include "herald/base/base64.hpp"

namespace herald::auth {
namespace {

constexpr std::string_view kSealPrefix = "secretbox1$";
constexpr std::size_t kHexKeySize = 2 * crypto_secretbox_KEYBYTES;

base::Error file_error(const std::string& what, const std::string& path) {
  return base::Error{what + " " + path + ": " + std::strerror(errno)};
}

// Parses "64 hex digits" with an optional trailing newline into the key.
base::Result<SecretString> parse_key(const SecretString& text, const std::string& path) {
  std::string_view t = text.view();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.remove_suffix(1);
  auto key = SecretString::zeroed(crypto_secretbox_KEYBYTES);
  std::size_t len = 0;
  if (t.size() != kHexKeySize ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), t.data(), t.size(),
                     nullptr, &len, nullptr) != 0 ||
      len != crypto_secretbox_KEYBYTES) {
    return base::make_error(path +
                            " is not a CRAM-MD5 key (64 hex digits); restore it from a backup");
  }
  return key;
}

bool fsync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string cram_key_path(std::string_view data_dir) {
  return (std::filesystem::path(data_dir) / "cram.key").string();
}

base::Result<CramKey> CramKey::load(const std::string& path) {
  if (!sodium_ready()) return base::make_error("libsodium could not be initialised");
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return file_error("cannot open the CRAM-MD5 key", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return base::make_error(path + " is not a regular file; it must hold the CRAM-MD5 key");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return base::make_error(path + " is readable by other users; run 'chmod 600 " + path + "'");
  }
  auto text = SecretString::zeroed(kHexKeySize + 2);
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.truncate(got);
  auto key = parse_key(text, path);
  if (!key) return key.error();
  return CramKey(std::move(*key));
}

base::Result<CramKey> CramKey::load_or_create(const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) return load(path);
  if (!sodium_ready()) return base::make_error("libsodium could not be initialised");
  unsigned char raw[crypto_secretbox_KEYBYTES];
  crypto_secretbox_keygen(raw);
  auto text = SecretString::zeroed(kHexKeySize + 1);
  sodium_bin2hex(text.data(), text.size(), raw, sizeof raw);
  sodium_memzero(raw, sizeof raw);
  text.data()[kHexKeySize] = '\n';

  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return file_error("cannot create the CRAM-MD5 key", tmp);
  // Run as root (an administrator's CLI), give the key to data_dir's owner,
  // who runs the server and must be able to read it.
  struct stat dir {};
  if (::geteuid() == 0 && ::stat(std::filesystem::path(path).parent_path().c_str(), &dir) == 0) {
    (void)::fchown(fd, dir.st_uid, dir.st_gid);
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    auto err = file_error("cannot write the CRAM-MD5 key", tmp);
    ::unlink(tmp.c_str());
    return err;
  }
  // link() fails with EEXIST if another process won the race: use its key.
  const bool linked = ::link(tmp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!linked && link_errno != EEXIST) {
    errno = link_errno;
    return file_error("cannot create the CRAM-MD5 key", path);
  }
  if (linked) fsync_dir(std::filesystem::path(path).parent_path());
  return load(path);
}

base::Result<std::string> CramKey::seal(std::string_view password) const {
  if (password.empty() || password.size() > kMaxPasswordLength) {
    return base::make_error("the password is empty or too long for CRAM-MD5");
  }
  unsigned char nonce[crypto_secretbox_NONCEBYTES];
  randombytes_buf(nonce, sizeof nonce);
  std::string box(password.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(box.data()),
                        reinterpret_cast<const unsigned char*>(password.data()), password.size(),
                        nonce, reinterpret_cast<const unsigned char*>(key_.view().data()));
  return std::string(kSealPrefix) +
         base::base64_encode({reinterpret_cast<const char*>(nonce), sizeof nonce}) + "$" +
         base::base64_encode(box);
}

base::Result<SecretString> CramKey::open(std::string_view sealed) const {
  auto bad = [] {
    return base::make_error("the stored CRAM-MD5 secret is malformed or sealed under another key");
  };
  if (!sealed.starts_with(kSealPrefix)) return bad();
  sealed.remove_prefix(kSealPrefix.size());
  const auto dollar = sealed.find('$');
  if (dollar == std::string_view::npos) return bad();
  auto nonce = base::base64_decode(sealed.substr(0, dollar));
  auto box = base::base64_decode(sealed.substr(dollar + 1));
  if (!nonce || !box || nonce->size() != crypto_secretbox_NONCEBYTES ||
      box->size() <= crypto_secretbox_MACBYTES) {
    return bad();
  }
  auto password = SecretString::zeroed(box->size() - crypto_secretbox_MACBYTES);
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(password.data()),
                                 reinterpret_cast<const unsigned char*>(box->data()), box->size(),
                                 reinterpret_cast<const unsigned char*>(nonce->data()),
                                 reinterpret_cast<const unsigned char*>(key_.view().data())) != 0) {
    return bad();
  }
  return password;
}

}  // namespace herald::auth
