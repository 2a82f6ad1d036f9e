// Authoritative lookup in one zone (RFC 1034 §4.3.2 steps 3a–3c with RFC 2308
// negative answers, RFC 4592 wildcards, RFC 6672 DNAME substitution, RFC 8482
// ANY as Knot answers it): decides which RRsets go
// into which section. Writing them is response_builder's job.
//
// Pure and allocation-free: the result is a fixed-capacity struct the caller
// owns (one per worker). Names it points to live in the zone or in the result.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "dns/name.hpp"
#include "dns/zone_data.hpp"

namespace gslb::dns {

struct SectionEntry {
  const std::uint8_t* owner = nullptr;  // canonical wire name
  std::uint8_t owner_length = 0;
  std::uint32_t ttl = 0;
  // The zone's RRset; nullptr for a CNAME synthesized from a DNAME (RFC 6672
  // §3.1), whose one target name is `synthesized` (canonical wire form).
  const ZoneRRset* rrset = nullptr;
  const std::uint8_t* synthesized = nullptr;
  std::uint8_t synthesized_length = 0;
};

struct LookupResult {
  static constexpr std::size_t max_chain = 8;  // CNAME hops followed (loop-safe bound)
  static constexpr std::size_t max_answer = 64;
  static constexpr std::size_t max_authority = 4;
  static constexpr std::size_t max_additional = 32;

  std::uint8_t rcode = 0;
  bool authoritative = true;
  std::array<SectionEntry, max_answer> answer;
  std::array<SectionEntry, max_authority> authority;
  std::array<SectionEntry, max_additional> additional;
  std::size_t answer_count = 0;
  std::size_t authority_count = 0;
  std::size_t additional_count = 0;
  // Lower-cased CNAME targets followed (read from the zone or synthesized
  // from a DNAME), owners of the RRsets found at them.
  std::uint8_t chain_names[max_chain][max_name_length];
};

struct LookupQuery {
  const std::uint8_t* qname = nullptr;  // canonical wire form
  std::size_t qname_length = 0;
  std::uint16_t qtype = 0;
  bool tcp = false;        // RFC 8482 §4.1: full ANY answers over TCP only
  bool dnssec_ok = false;  // DS goes into referrals only for DO queries (RFC 4035 §3.1.4)
};

// Precondition: `q.qname` is at or below `zone.origin()`.
void lookup(const ZoneData& zone, const LookupQuery& q, LookupResult& out);

// Adds a negative answer's SOA (RFC 2308 §3) to the authority section.
void add_negative_soa(const ZoneData& zone, LookupResult& out);

}  // namespace gslb::dns
