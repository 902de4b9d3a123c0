// dns::to_ascii — a domain as it goes into DNS: U-labels converted to
// A-labels with libidn2 (IDNA2008, UTS #46 non-transitional), ASCII
// lowercased. It must not resolve anything or accept what IDNA rejects.
#pragma once

#include <string>
#include <string_view>

#include "herald/base/result.hpp"

namespace herald::dns {

// "Bücher.Example" -> "xn--bcher-kva.example". A trailing dot is kept.
// Pure-ASCII names only get lowercased and length-checked, so DNS-only
// labels such as "_mta-sts" or "_25._tcp" pass (IDNA would refuse "_").
base::Result<std::string> to_ascii(std::string_view domain);

}  // namespace herald::dns
