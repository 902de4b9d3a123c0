// dns::StaticFirstResolver — routing between the static zone and the fallback.
#include "herald/dns/static_first_resolver.hpp"

#include <utility>

namespace herald::dns {

StaticFirstResolver::StaticFirstResolver(StaticZone zone, std::unique_ptr<Resolver> fallback)
    : zone_(std::move(zone)), fallback_(std::move(fallback)) {}

void StaticFirstResolver::lookup(std::string name, RecordType type, Callback done) {
  StaticMatch match = zone_.lookup(name, type);
  switch (match.kind) {
    case StaticMatch::Kind::answer:
      done(std::move(match.answer));
      return;
    case StaticMatch::Kind::follow:
      // A static CNAME leading out of the zone: the rest of the chain is
      // ordinary DNS, as trustworthy as the fallback says it is.
      name = std::move(match.target);
      break;
    case StaticMatch::Kind::not_in_zone:
      break;
  }
  if (!fallback_) {
    done(make_failure(Status::temporary_failure,
                      std::string(to_string(type)) + " lookup of " + name +
                          ": not in the static zone and no resolver is configured"));
    return;
  }
  fallback_->lookup(std::move(name), type, std::move(done));
}

}  // namespace herald::dns
