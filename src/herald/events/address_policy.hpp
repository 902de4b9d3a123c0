// events::is_public_address — whether an IP address (text) is one a webhook
// may be sent to: globally reachable unicast only. Pure and sans-I/O: it
// never resolves names and knows nothing of URLs or sockets.
#pragma once

#include <string>

namespace herald::events {

// True only for a globally routable unicast address. False for anything
// unparsable (including scoped "fe80::1%eth0" and short IPv4 forms such as
// "127.1") and for:
//
//   IPv4   0.0.0.0/8        "this network", unspecified
//          10.0.0.0/8       private (RFC 1918)
//          100.64.0.0/10    carrier-grade NAT (RFC 6598)
//          127.0.0.0/8      loopback
//          169.254.0.0/16   link-local (cloud metadata services live here)
//          172.16.0.0/12    private (RFC 1918)
//          192.0.0.0/24     IETF protocol assignments (RFC 6890)
//          192.0.2.0/24     documentation (TEST-NET-1)
//          192.168.0.0/16   private (RFC 1918)
//          198.18.0.0/15    benchmarking (RFC 2544)
//          198.51.100.0/24  documentation (TEST-NET-2)
//          203.0.113.0/24   documentation (TEST-NET-3)
//          224.0.0.0/4      multicast
//          240.0.0.0/4      reserved, including 255.255.255.255 broadcast
//
//   IPv6   ::ffff:0:0/96    IPv4-mapped: the embedded IPv4 address is judged
//          64:ff9b::/96     NAT64 (RFC 6052): the embedded IPv4 is judged
//          2002::/16        6to4 (RFC 3056): the embedded IPv4 is judged
//          everything outside 2000::/3, the only block IANA has allocated
//                           for global unicast; this covers :: and ::1,
//                           IPv4-compatible ::/96, discard 100::/64, local
//                           NAT64 64:ff9b:1::/48, unique-local fc00::/7,
//                           link-local fe80::/10, site-local fec0::/10 and
//                           multicast ff00::/8
//          2001::/23        IETF protocol assignments (Teredo, ORCHID,
//                           benchmarking 2001:2::/48, ...)
//          2001:db8::/32    documentation
//          3fff::/20        documentation (RFC 9637)
bool is_public_address(const std::string& ip);

}  // namespace herald::events
