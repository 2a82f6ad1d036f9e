#include "dns/zone_set.hpp"

#include <bitset>
#include <cstring>
#include <string>

#include "dns/zone_data.hpp"

namespace gslb::dns {

// Open-addressing table of zone origins by canonical key. find() probes once
// per label of the query name, longest suffix first, so the first hit is the
// longest match (RFC 1034 §4.3.2 step 2: the nearest ancestor zone).
struct ZoneSet::Index {
  struct Entry {
    std::string key;
    std::uint32_t hash = 0;
    const Zone* zone = nullptr;
  };
  std::vector<Entry> entries;
  std::vector<std::uint32_t> slots;  // entry index + 1; 0 empty
  std::size_t shortest = max_name_length + 1;
  // Which origin lengths exist: a suffix of another length needs no probe.
  std::bitset<max_name_length + 1> lengths;

  const Zone* lookup(const std::uint8_t* key, std::size_t n) const {
    const std::uint32_t h = name_hash(key, n);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots[i];
      if (s == 0) return nullptr;
      const Entry& e = entries[s - 1];
      if (e.hash == h && e.key.size() == n && same_bytes(reinterpret_cast<const std::uint8_t*>(e.key.data()), key, n))
        return e.zone;
    }
  }
};

ZoneSet::ZoneSet(std::vector<Zone::ConstPtr> zones) : zones_(std::move(zones)) {
  auto index = std::make_shared<Index>();
  std::size_t size = 8;
  while (size < zones_.size() * 2 + 2) size *= 2;
  index->slots.assign(size, 0);
  for (const auto& z : zones_) {
    if (!z) continue;
    Index::Entry e;
    e.key = z->origin().canonical_key();
    e.hash = name_hash(reinterpret_cast<const std::uint8_t*>(e.key.data()), e.key.size());
    e.zone = z.get();
    if (index->lookup(reinterpret_cast<const std::uint8_t*>(e.key.data()), e.key.size()) != nullptr) continue;
    index->shortest = std::min(index->shortest, e.key.size());
    index->lengths.set(e.key.size());
    std::size_t i = e.hash & (size - 1);
    while (index->slots[i] != 0) i = (i + 1) & (size - 1);
    index->entries.push_back(std::move(e));
    index->slots[i] = static_cast<std::uint32_t>(index->entries.size());
  }
  index_ = std::move(index);
}

const Zone* ZoneSet::find(std::string_view qname_key) const {
  const auto* p = reinterpret_cast<const std::uint8_t*>(qname_key.data());
  std::size_t n = qname_key.size();
  const Index& index = *index_;
  // Labels are walked on the caller's (validated) wire key; a malformed key
  // ends the walk instead of reading past it.
  while (n >= index.shortest) {
    if (index.lengths.test(n)) {
      if (const Zone* z = index.lookup(p, n)) return z;
    }
    if (*p == 0) break;
    const std::size_t skip = std::size_t{*p} + 1;
    if (skip >= n) break;
    p += skip;
    n -= skip;
  }
  return nullptr;
}

}  // namespace gslb::dns
