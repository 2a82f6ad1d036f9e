#include "dns/zone.hpp"

#include <cstring>
#include <string>

#include "dns/rr_types.hpp"
#include "dns/zone_builder.hpp"
#include "dns/zone_data.hpp"

namespace gslb::dns {

Zone::ConstPtr Zone::build(const Name& origin, std::vector<Record> records, base::DiagnosticList& diags) {
  ZoneBuilder builder(origin, records.size());
  for (Record& r : records) {
    builder.add(r, diags);
    // Give each record's memory back as soon as it is indexed.
    r = Record{};
  }
  records = {};
  return builder.finish(diags);
}

std::uint32_t ZoneData::find(const std::uint8_t* key, std::size_t n) const {
  const std::uint32_t h = name_hash(key, n);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const std::uint64_t s = slots_[i];
    if (s == 0) return no_node;
    if (static_cast<std::uint32_t>(s >> 32) != h) continue;
    const std::uint32_t id = static_cast<std::uint32_t>(s) - 1;
    const ZoneNode& nd = nodes_[id];
    if (nd.name_length == n && same_bytes(names_.data() + nd.name_offset, key, n)) return id;
  }
}
std::size_t ZoneData::memory_bytes() const {
  return nodes_.capacity() * sizeof(ZoneNode) + rrsets_.capacity() * sizeof(ZoneRRset) +
         slots_.capacity() * sizeof(std::uint64_t) + names_.capacity() + rdata_.capacity() +
         targets_.capacity() * sizeof(std::uint32_t);
}

std::vector<Record> ZoneData::records_for_transfer() const {
  std::vector<Record> out;
  out.reserve(record_count_);
  auto emit = [&](const ZoneNode& nd, const ZoneRRset& set) {
    const Name owner = Name::from_wire(std::string_view(reinterpret_cast<const char*>(node_name(nd)), nd.name_length));
    const std::uint8_t* p = rdata(set);
    for (std::uint16_t c = 0; c < set.count; ++c) {
      const std::uint16_t len = read_u16(p);
      Record r;
      r.owner = owner;
      r.type = set.type;
      r.ttl = set.ttl;
      r.rdata.assign(p + 2, p + 2 + len);
      out.push_back(std::move(r));
      p += 2 + len;
    }
  };
  emit(nodes_[apex_], soa());
  for (const ZoneNode& nd : nodes_) {
    for (std::uint32_t k = 0; k < nd.rrsets_count; ++k) {
      const ZoneRRset& set = rrsets_[nd.rrsets_begin + k];
      if (&set != &soa()) emit(nd, set);
    }
  }
  return out;
}

Record ZoneData::soa_record() const {
  const ZoneNode& apex = nodes_[apex_];
  const ZoneRRset& set = soa();
  const std::uint8_t* p = rdata(set);
  Record r;
  r.owner = Name::from_wire(std::string_view(reinterpret_cast<const char*>(node_name(apex)), apex.name_length));
  r.type = set.type;
  r.ttl = set.ttl;
  r.rdata.assign(p + 2, p + 2 + read_u16(p));
  return r;
}

}  // namespace gslb::dns
