// dns::StaticFirstResolver — answers from the `[dns] static` zone when the
// name is there, and passes everything else to the real resolver. It owns
// that routing only; parsing lives in StaticZone, network I/O in the fallback.
#pragma once

#include <memory>
#include <string>

#include "herald/dns/resolver.hpp"
#include "herald/dns/static_zone.hpp"

namespace herald::dns {

class StaticFirstResolver final : public Resolver {
 public:
  // Without a fallback, names outside the zone fail temporarily (tests, or a
  // deliberately offline setup).
  StaticFirstResolver(StaticZone zone, std::unique_ptr<Resolver> fallback);

  // Static answers call `done` before returning.
  void lookup(std::string name, RecordType type, Callback done) override;

  const StaticZone& zone() const { return zone_; }

 private:
  StaticZone zone_;
  std::unique_ptr<Resolver> fallback_;
};

}  // namespace herald::dns
