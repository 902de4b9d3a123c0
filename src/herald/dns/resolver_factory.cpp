// dns::make_resolver — static zone in front of libunbound.
#include "herald/dns/resolver_factory.hpp"

#include <filesystem>
#include <system_error>
#include <utility>

#include "herald/dns/static_first_resolver.hpp"
#include "herald/dns/static_zone.hpp"

namespace herald::dns {

base::Result<std::unique_ptr<Resolver>> make_resolver(const ResolverSettings& settings) {
  auto zone = StaticZone::parse(settings.static_records);
  if (!zone) return zone.error();

  UnboundOptions options;
  if (settings.resolver != "system") {
    if (settings.host.empty()) return base::make_error("DNS resolver: no address given");
    options.forwarder_host = settings.host;
    options.forwarder_port = settings.port;
  }
  std::error_code ec;
  if (!settings.trust_anchor_file.empty() &&
      std::filesystem::exists(settings.trust_anchor_file, ec)) {
    options.trust_anchor_file = settings.trust_anchor_file;
  }
  options.timeout = settings.timeout;
  auto unbound = UnboundResolver::create(std::move(options));
  if (!unbound) return unbound.error();
  std::unique_ptr<Resolver> real = std::move(unbound).value();
  if (zone->empty()) return real;
  return std::unique_ptr<Resolver>(
      std::make_unique<StaticFirstResolver>(std::move(zone).value(), std::move(real)));
}

}  // namespace herald::dns
