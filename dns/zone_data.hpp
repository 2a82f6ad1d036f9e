// ZoneData: the concrete Zone built by Zone::build, laid out for the query
// path. Every name of the zone, empty non-terminals included, is a Node in an
// open-addressing hash table keyed by its canonical (lower-case) wire form, so
// that finding the closest encloser is a walk up the labels of the query name
// with one probe per label. Names and RDATA live in two flat byte arenas; nodes
// and RRsets are small structs holding offsets into them.
//
// Immutable after build; any number of threads may read concurrently.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "dns/zone.hpp"

namespace gslb::dns {

inline constexpr std::uint32_t no_node = 0xffffffffu;

struct ZoneRRset {
  std::uint32_t rdata_offset = 0;  // into ZoneData::rdata(): count × [rdlength(2) RDATA]
  std::uint32_t ttl = 0;
  std::uint16_t type = 0;
  std::uint16_t count = 0;
  // Nodes whose A/AAAA go to the additional section when this RRset is in a
  // response (targets of NS/MX/SRV inside the zone), in ZoneData::targets().
  std::uint32_t targets_begin = 0;
  std::uint16_t targets_count = 0;
};

struct ZoneNode {
  enum Flags : std::uint8_t {
    wildcard_child = 1,  // "*.<this name>" exists (RFC 4592 §2.2.1 source of synthesis)
    has_cname = 2,
    delegation = 4,  // NS RRset at a non-apex name: a zone cut (RFC 1034 §4.2.1)
    has_dname = 8,   // names below this one are redirected (RFC 6672 §2.2)
  };
  std::uint32_t hash = 0;
  std::uint32_t name_offset = 0;  // canonical wire name in ZoneData::names()
  std::uint32_t rrsets_begin = 0;
  std::uint16_t rrsets_count = 0;
  std::uint8_t name_length = 0;
  std::uint8_t flags = 0;
  // The highest delegation point at or above this node (the cut that owns its
  // data, RFC 1034 §4.3.2 step 3b), or no_node when the zone is authoritative.
  std::uint32_t cut = no_node;
};

class ZoneData final : public Zone {
 public:
  std::uint32_t serial() const override { return serial_; }
  std::size_t record_count() const override { return record_count_; }
  std::vector<Record> records_for_transfer() const override;
  Record soa_record() const override;

  // Exact match by canonical wire key; no_node when absent.
  std::uint32_t find(const std::uint8_t* key, std::size_t length) const;
  std::uint32_t find(std::string_view key) const {
    return find(reinterpret_cast<const std::uint8_t*>(key.data()), key.size());
  }

  const ZoneNode& node(std::uint32_t index) const { return nodes_[index]; }
  const std::uint8_t* node_name(const ZoneNode& n) const { return names_.data() + n.name_offset; }
  const ZoneRRset* rrset(const ZoneNode& n, std::uint16_t type) const {
    const ZoneRRset* it = rrsets_.data() + n.rrsets_begin;
    for (const ZoneRRset* end = it + n.rrsets_count; it != end; ++it)
      if (it->type == type) return it;
    return nullptr;
  }
  const ZoneRRset* rrsets_begin(const ZoneNode& n) const { return rrsets_.data() + n.rrsets_begin; }
  const std::uint8_t* rdata(const ZoneRRset& s) const { return rdata_.data() + s.rdata_offset; }
  const std::uint32_t* targets(const ZoneRRset& s) const { return targets_.data() + s.targets_begin; }

  std::uint32_t apex() const { return apex_; }
  // A DNSKEY RRset at the apex: the zone is served as signed.
  bool is_signed() const { return signed_; }
  const ZoneRRset& soa() const { return rrsets_[soa_rrset_]; }
  // RFC 2308 §3: TTL of the SOA in negative answers = min(SOA TTL, SOA MINIMUM).
  std::uint32_t negative_ttl() const { return negative_ttl_; }
  std::size_t node_count() const { return nodes_.size(); }
  std::size_t memory_bytes() const;

 private:
  friend class ZoneBuilder;
  explicit ZoneData(Name origin) : Zone(std::move(origin)) {}

  std::vector<ZoneNode> nodes_;
  std::vector<ZoneRRset> rrsets_;
  // Open addressing, linear probing; a power of two in size, at most half
  // full. Each slot is (hash << 32) | (node index + 1), 0 when empty, so a
  // probe rejects other names without touching their node.
  std::vector<std::uint64_t> slots_;
  std::vector<std::uint8_t> names_;
  std::vector<std::uint8_t> rdata_;
  std::vector<std::uint32_t> targets_;
  std::uint32_t apex_ = no_node;
  std::uint32_t soa_rrset_ = 0;
  std::uint32_t negative_ttl_ = 0;
  std::uint32_t serial_ = 0;
  bool signed_ = false;
  std::size_t record_count_ = 0;
};

// Hash of a canonical wire name: eight octets per multiply, then the
// MurmurHash3 finalizer so that the low bits (the table index) depend on every
// input bit. Zone contents are chosen by the operator and queries never modify
// the table, so a query cannot lengthen probe chains: no secret seed needed.
inline std::uint32_t name_hash(const std::uint8_t* p, std::size_t n) {
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  const bool long_key = n >= 8;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
  }
  if (n != 0) {
    std::uint64_t w = 0;
    if (long_key) {
      // The key's last eight octets, shifted so that only the n not yet
      // hashed remain: on little-endian the same word as the loop below.
      std::memcpy(&w, p + n - 8, 8);
      w >>= 8 * (8 - n);
    } else {
      for (std::size_t i = 0; i < n; ++i) w |= std::uint64_t{p[i]} << (8 * i);
    }
    h = (h ^ w) * 0xff51afd7ed558ccdull;
  }
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<std::uint32_t>(h);
}

}  // namespace gslb::dns
