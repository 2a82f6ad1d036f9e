// The zones the dns/ unit tests, the fuzz target and the micro benchmark
// share: one of each thing RFC 1034 §4.3.2 and RFC 4592 distinguish.
#pragma once

#include <string>
#include <vector>

#include "dns/testing_zone.hpp"
#include "dns/zone_set.hpp"

namespace gslb::dns::testing {

inline std::vector<std::string> example_zone_lines() {
  return {
      "@ 3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300",
      "@ 3600 IN NS ns1",
      "@ 3600 IN NS ns2.other.net.",
      "@ 3600 IN MX 10 mail",
      "@ 3600 IN MX 20 mx.other.net.",
      "ns1 3600 IN A 192.0.2.1",
      "ns1 3600 IN AAAA 2001:db8::1",
      "www 300 IN A 192.0.2.10",
      "www 300 IN A 192.0.2.11",
      "mail 3600 IN A 192.0.2.20",
      "_sip._tcp 3600 IN SRV 0 5 5060 sip",
      "sip 3600 IN A 192.0.2.30",
      "a.b.c 3600 IN TXT \"deep\"",
      "alias 600 IN CNAME www",
      "chain1 600 IN CNAME chain2",
      "chain2 600 IN CNAME www",
      "ext 600 IN CNAME www.other.net.",
      "dangling 600 IN CNAME nothere",
      "loop1 600 IN CNAME loop2",
      "loop2 600 IN CNAME loop1",
      "*.wild 120 IN A 192.0.2.40",
      "sub.wild 120 IN A 192.0.2.41",
      "*.wc 120 IN CNAME www",
      "deleg 3600 IN NS ns.deleg",
      "deleg 3600 IN NS ns.other.net.",
      "deleg 3600 IN DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4D2B4B1E0A7B8A2B5C3D4E5F",
      "ns.deleg 3600 IN A 192.0.2.50",
      "hidden.deleg 3600 IN A 192.0.2.51",
      "unsigned 3600 IN NS ns1",
      "todeleg 600 IN CNAME www.deleg",
      "*.wdeleg 120 IN A 192.0.2.60",
      "x.wdeleg 3600 IN NS ns1",
      "redir 900 IN DNAME www.other.net.",
      "here 900 IN DNAME wild",
      "long 900 IN DNAME "
      "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll."
      "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll."
      "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll.other.net.",
  };
}

inline std::vector<std::string> child_zone_lines() {
  return {
      "@ 60 IN SOA ns1.example.com. hostmaster.example.com. 7 7200 3600 1209600 300",
      "@ 60 IN NS ns1.example.com.",
      "host 60 IN A 198.51.100.1",
  };
}

// example.com. and its child zone child.example.com., both loaded (the
// parent also delegates child. with NS so the cut exists on both sides).
inline ZoneSet::ConstPtr example_zone_set() {
  auto parent_lines = example_zone_lines();
  parent_lines.push_back("child 3600 IN NS ns1");
  parent_lines.push_back("child 3600 IN DS 1 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4D2B4B1E0A7B8A2B5C3D4E5F");
  std::vector<Zone::ConstPtr> zones;
  zones.push_back(zone_from_text("example.com.", parent_lines));
  zones.push_back(zone_from_text("child.example.com.", child_zone_lines()));
  return std::make_shared<const ZoneSet>(std::move(zones));
}

}  // namespace gslb::dns::testing
