// auth::make_sasl_server — maps mechanism names to state machines.
// Adding a mechanism means one entry here and one class beside it.

#include "herald/auth/sasl_mechanism.hpp"

#include <array>

#include "herald/auth/sasl_login.hpp"
#include "herald/auth/sasl_plain.hpp"
#include "herald/base/ascii.hpp"

namespace herald::auth {
namespace {

using base::iequals;

constexpr std::array<std::string_view, 2> kMechanisms{"PLAIN", "LOGIN"};

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
