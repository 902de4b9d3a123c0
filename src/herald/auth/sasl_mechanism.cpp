// auth::make_sasl_server — maps mechanism names to state machines.
// Adding a mechanism means one entry here and one class beside it.

#include "herald/auth/sasl_mechanism.hpp"

#include <array>

#include "herald/auth/sasl_login.hpp"
#include "herald/auth/sasl_plain.hpp"

namespace herald::auth {
namespace {

constexpr std::array<std::string_view, 2> kMechanisms{"PLAIN", "LOGIN"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<SaslServer> make_sasl_server(std::string_view mechanism) {
  if (iequals(mechanism, "PLAIN")) return std::make_unique<SaslPlain>();
  if (iequals(mechanism, "LOGIN")) return std::make_unique<SaslLogin>();
  return nullptr;
}

std::span<const std::string_view> sasl_mechanisms() {
  return kMechanisms;
}

}  // namespace herald::auth
