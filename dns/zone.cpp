#include "dns/zone.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "dns/rr_types.hpp"
#include "dns/zone_data.hpp"

namespace gslb::dns {

Zone::ConstPtr Zone::build(const Name& origin, std::vector<Record> records, base::DiagnosticList& diags) {
  return ZoneData::build_index(origin, std::move(records), diags);
}

namespace {

std::string where_file(const Record& r) {
  return r.where.file ? *r.where.file : std::string();
}

// Length of the uncompressed wire name starting at p (bounded by end), or 0 if
// it is malformed.
std::size_t wire_name_length(const std::uint8_t* p, const std::uint8_t* end) {
  const std::uint8_t* start = p;
  while (p < end) {
    const std::uint8_t len = *p;
    if (len == 0) return static_cast<std::size_t>(p - start) + 1;
    if (len > 63) return 0;
    p += len + 1;
  }
  return 0;
}

}  // namespace

struct ZoneData::Builder {
  ZoneData& z;
  std::vector<std::uint32_t> parent;  // per node, during build only

  std::uint32_t probe(const std::uint8_t* key, std::size_t n, std::uint32_t h) const {
    const std::size_t mask = z.slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint64_t s = z.slots_[i];
      if (s == 0) return static_cast<std::uint32_t>(i) | 0x80000000u;  // free slot
      if (static_cast<std::uint32_t>(s >> 32) != h) continue;
      const std::uint32_t id = static_cast<std::uint32_t>(s) - 1;
      const ZoneNode& nd = z.nodes_[id];
      if (nd.name_length == n && std::memcmp(z.names_.data() + nd.name_offset, key, n) == 0) return id;
    }
  }

  void grow() {
    std::vector<std::uint64_t> next(z.slots_.empty() ? 1024 : z.slots_.size() * 2, 0);
    const std::size_t mask = next.size() - 1;
    for (std::uint32_t i = 0; i < z.nodes_.size(); ++i) {
      std::size_t k = z.nodes_[i].hash & mask;
      while (next[k] != 0) k = (k + 1) & mask;
      next[k] = (std::uint64_t{z.nodes_[i].hash} << 32) | (i + 1);
    }
    z.slots_.swap(next);
  }

  // Inserts `key` (not inside names_) and every missing ancestor down to the apex (empty
  // non-terminals are nodes too: RFC 4592 §2.2.2 needs them to stop wildcard
  // synthesis, RFC 1034 §4.3.2 to answer NODATA rather than NXDOMAIN).
  std::uint32_t insert(const std::uint8_t* key, std::size_t n, std::size_t apex_length) {
    std::uint32_t first = no_node;
    std::uint32_t child = no_node;
    for (;;) {
      if ((z.nodes_.size() + 1) * 2 > z.slots_.size()) grow();
      const std::uint32_t h = name_hash(key, n);
      const std::uint32_t r = probe(key, n, h);
      std::uint32_t id;
      bool existed = (r & 0x80000000u) == 0;
      if (existed) {
        id = r;
      } else {
        id = static_cast<std::uint32_t>(z.nodes_.size());
        ZoneNode nd;
        nd.hash = h;
        nd.name_offset = static_cast<std::uint32_t>(z.names_.size());
        nd.name_length = static_cast<std::uint8_t>(n);
        z.names_.insert(z.names_.end(), key, key + n);
        z.nodes_.push_back(nd);
        parent.push_back(no_node);
        z.slots_[r & 0x7fffffffu] = (std::uint64_t{h} << 32) | (id + 1);
      }
      if (child != no_node) parent[child] = id;
      if (first == no_node) first = id;
      if (existed || n <= apex_length) return first;
      child = id;
      // The parent's key is a suffix of this one (the caller's buffer, which
      // never points into names_).
      const std::size_t skip = std::size_t{key[0]} + 1;
      key += skip;
      n -= skip;
    }
  }
};

std::uint32_t ZoneData::find(const std::uint8_t* key, std::size_t n) const {
  const std::uint32_t h = name_hash(key, n);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const std::uint64_t s = slots_[i];
    if (s == 0) return no_node;
    if (static_cast<std::uint32_t>(s >> 32) != h) continue;
    const std::uint32_t id = static_cast<std::uint32_t>(s) - 1;
    const ZoneNode& nd = nodes_[id];
    if (nd.name_length == n && std::memcmp(names_.data() + nd.name_offset, key, n) == 0) return id;
  }
}

Zone::ConstPtr ZoneData::build_index(const Name& origin, std::vector<Record> records, base::DiagnosticList& diags) {
  std::shared_ptr<ZoneData> zone(new ZoneData(origin));
  ZoneData& z = *zone;
  Builder b{z, {}};
  const std::size_t errors_before = diags.error_count();
  const std::string origin_key = origin.canonical_key();
  const std::string origin_text = origin.to_string();

  // Size the table once for the likely node count (owners + a few ENTs) so
  // that building a large zone does not rehash repeatedly.
  {
    std::size_t slots = 1024;
    while (slots < (records.size() + 16) * 2) slots *= 2;
    z.slots_.assign(slots, 0);
  }
  z.nodes_.reserve(records.size() + 16);
  z.names_.reserve(records.size() * 16);
  b.parent.reserve(records.size() + 16);
  const auto* okey = reinterpret_cast<const std::uint8_t*>(origin_key.data());
  z.apex_ = b.insert(okey, origin_key.size(), origin_key.size());

  // Node of every record (no_node = record skipped).
  std::vector<std::uint32_t> rec_node(records.size(), no_node);
  std::uint8_t key[max_name_length];
  // The table is far larger than the caches for big zones and each insert's
  // first probe is a miss: hash the owner a few records ahead and prefetch
  // its slot, so that the misses overlap instead of queueing.
  constexpr std::size_t prefetch_distance = 16;
  auto prefetch = [&](std::size_t j) {
    if (j >= records.size()) return;
    const std::string& w = records[j].owner.wire();
    std::uint8_t ahead[max_name_length];
    for (std::size_t k = 0; k < w.size(); ++k) ahead[k] = dns_tolower(static_cast<std::uint8_t>(w[k]));
    __builtin_prefetch(&z.slots_[name_hash(ahead, w.size()) & (z.slots_.size() - 1)]);
  };
  for (std::size_t j = 0; j < prefetch_distance; ++j) prefetch(j);
  for (std::size_t i = 0; i < records.size(); ++i) {
    prefetch(i + prefetch_distance);
    const Record& r = records[i];
    if (!r.owner.is_subdomain_of(origin)) {
      diags.error(where_file(r), r.where.line, 0,
                  "record owner " + r.owner.to_string() + " is outside zone " + origin_text);
      continue;
    }
    if (r.rclass != rr_class::in) {
      diags.error(where_file(r), r.where.line, 0, "record class is not IN");
      continue;
    }
    if (r.type == rr_type::opt || r.type == rr_type::axfr || r.type == rr_type::ixfr || r.type == rr_type::any) {
      diags.error(where_file(r), r.where.line, 0, "meta type " + std::to_string(r.type) + " cannot appear in a zone");
      continue;
    }
    if (r.rdata.size() > 65535) {
      diags.error(where_file(r), r.where.line, 0, "RDATA longer than 65535 octets");
      continue;
    }
    const std::string& w = r.owner.wire();
    for (std::size_t k = 0; k < w.size(); ++k) key[k] = dns_tolower(static_cast<std::uint8_t>(w[k]));
    rec_node[i] = b.insert(key, w.size(), origin_key.size());
  }

  // Group records by (node, type) and order RDATA inside an RRset canonically
  // (RFC 4034 §6.3), which also puts duplicates next to each other.
  std::vector<std::uint32_t> order;
  order.reserve(records.size());
  for (std::uint32_t i = 0; i < records.size(); ++i)
    if (rec_node[i] != no_node) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t c) {
    if (rec_node[a] != rec_node[c]) return rec_node[a] < rec_node[c];
    if (records[a].type != records[c].type) return records[a].type < records[c].type;
    return records[a].rdata < records[c].rdata;
  });

  z.rrsets_.reserve(order.size());
  z.rdata_.reserve(order.size() * 8);
  std::uint32_t soa_count = 0;
  for (std::size_t i = 0; i < order.size();) {
    const std::uint32_t nid = rec_node[order[i]];
    ZoneNode& nd = z.nodes_[nid];
    nd.rrsets_begin = static_cast<std::uint32_t>(z.rrsets_.size());
    bool has_cname = false, has_other = false;
    while (i < order.size() && rec_node[order[i]] == nid) {
      const Record& first = records[order[i]];
      ZoneRRset set;
      set.type = first.type;
      set.ttl = first.ttl;
      set.rdata_offset = static_cast<std::uint32_t>(z.rdata_.size());
      const std::vector<std::uint8_t>* prev = nullptr;
      while (i < order.size() && rec_node[order[i]] == nid && records[order[i]].type == set.type) {
        const Record& r = records[order[i]];
        ++i;
        if (prev != nullptr && *prev == r.rdata) continue;  // RFC 2181 §5: an RRset has no duplicates
        prev = &r.rdata;
        if (set.count == 65535) {
          diags.error(where_file(r), r.where.line, 0, "RRset has more than 65535 records");
          continue;
        }
        set.ttl = std::min(set.ttl, r.ttl);
        const auto len = static_cast<std::uint16_t>(r.rdata.size());
        z.rdata_.push_back(static_cast<std::uint8_t>(len >> 8));
        z.rdata_.push_back(static_cast<std::uint8_t>(len));
        z.rdata_.insert(z.rdata_.end(), r.rdata.begin(), r.rdata.end());
        ++set.count;
        if (set.type == rr_type::soa) ++soa_count;
        if (set.type == rr_type::cname && set.count > 1)
          diags.error(where_file(r), r.where.line, 0, "more than one CNAME record at " + r.owner.to_string());
      }
      set.rdata_bytes = static_cast<std::uint32_t>(z.rdata_.size()) - set.rdata_offset;
      if (set.type == rr_type::cname) {
        has_cname = true;
      } else if (set.type != rr_type::rrsig && set.type != 47 /* NSEC */) {
        has_other = true;
      }
      if (set.type == rr_type::soa) {
        if (nid != z.apex_) {
          diags.error(where_file(first), first.where.line, 0, "SOA record outside the zone apex");
        } else {
          z.soa_rrset_ = static_cast<std::uint32_t>(z.rrsets_.size());
        }
      }
      if (set.type == rr_type::ns && nid != z.apex_) nd.flags |= ZoneNode::delegation;
      z.rrsets_.push_back(set);
      ++nd.rrsets_count;
    }
    if (has_cname) {
      nd.flags |= ZoneNode::has_cname;
      // RFC 1034 §3.6.2 / RFC 2181 §10.1: a CNAME owner has no other data.
      const Record& r = records[order[i - 1]];
      if (has_other) diags.error(where_file(r), r.where.line, 0, "CNAME and other data at " + r.owner.to_string());
      if (nid == z.apex_) diags.error(where_file(r), r.where.line, 0, "CNAME at the zone apex");
    }
  }
  z.record_count_ = 0;
  for (const ZoneRRset& s : z.rrsets_) z.record_count_ += s.count;

  if (soa_count != 1 || z.rrset(z.nodes_[z.apex_], rr_type::soa) == nullptr) {
    diags.error("", 0, 0,
                "zone " + origin_text + (soa_count == 0 ? " has no SOA record" : " has more than one SOA record"));
  } else {
    // SOA RDATA: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM (RFC 1035 §3.3.13).
    const ZoneRRset& soa = z.rrsets_[z.soa_rrset_];
    const std::uint8_t* p = z.rdata(soa) + 2;
    const std::uint8_t* end = p + read_u16(p - 2);
    const std::size_t m = wire_name_length(p, end);
    const std::size_t r = m == 0 ? 0 : wire_name_length(p + m, end);
    if (m == 0 || r == 0 || p + m + r + 20 != end) {
      diags.error("", 0, 0, "zone " + origin_text + ": malformed SOA RDATA");
    } else {
      z.serial_ = read_u32(p + m + r);
      z.negative_ttl_ = std::min(soa.ttl, read_u32(p + m + r + 16));
    }
  }
  z.signed_ = z.rrset(z.nodes_[z.apex_], 48 /* DNSKEY */) != nullptr;
  if (z.rrset(z.nodes_[z.apex_], rr_type::ns) == nullptr)
    diags.warning("", 0, 0, "zone " + origin_text + " has no NS records at the apex");

  // Wildcard flags and the owning cut of each node. Parents have shorter
  // names, so visiting nodes by name length settles a parent before its children.
  std::vector<std::uint32_t> by_length(z.nodes_.size());
  {
    // Counting sort: name lengths are at most 255.
    std::vector<std::uint32_t> start(max_name_length + 2, 0);
    for (const ZoneNode& nd : z.nodes_) ++start[nd.name_length + 1];
    for (std::size_t l = 1; l < start.size(); ++l) start[l] += start[l - 1];
    for (std::uint32_t i = 0; i < z.nodes_.size(); ++i) by_length[start[z.nodes_[i].name_length]++] = i;
  }
  for (std::uint32_t id : by_length) {
    ZoneNode& nd = z.nodes_[id];
    const std::uint32_t p = b.parent[id];
    if (p == no_node) continue;  // apex
    const std::uint8_t* nm = z.node_name(nd);
    if (nm[0] == 1 && nm[1] == '*') z.nodes_[p].flags |= ZoneNode::wildcard_child;
    const std::uint32_t pc = z.nodes_[p].cut;
    nd.cut = pc != no_node ? pc : ((nd.flags & ZoneNode::delegation) ? id : no_node);
  }

  // Additional-section targets of NS/MX/SRV (RFC 1035 §3.3.9/§3.3.11, RFC
  // 2782): in-zone names with address records that are authoritative data, or
  // glue below the very cut the NS RRset belongs to.
  for (std::uint32_t id = 0; id < z.nodes_.size(); ++id) {
    const ZoneNode& nd = z.nodes_[id];
    for (std::uint32_t k = 0; k < nd.rrsets_count; ++k) {
      ZoneRRset& set = z.rrsets_[nd.rrsets_begin + k];
      std::size_t name_at;
      if (set.type == rr_type::ns) {
        name_at = 0;
      } else if (set.type == rr_type::mx) {
        name_at = 2;
      } else if (set.type == rr_type::srv) {
        name_at = 6;
      } else {
        continue;
      }
      set.targets_begin = static_cast<std::uint32_t>(z.targets_.size());
      const std::uint8_t* p = z.rdata(set);
      for (std::uint16_t c = 0; c < set.count; ++c) {
        const std::uint16_t len = read_u16(p);
        const std::uint8_t* rd = p + 2;
        p += 2 + len;
        if (len <= name_at) continue;
        const std::size_t n = wire_name_length(rd + name_at, rd + len);
        if (n == 0) continue;
        for (std::size_t j = 0; j < n; ++j) key[j] = dns_tolower(rd[name_at + j]);
        const std::uint32_t t = z.find(key, n);
        if (t == no_node) continue;
        const ZoneNode& tn = z.nodes_[t];
        const bool glue = set.type == rr_type::ns && (nd.flags & ZoneNode::delegation) && tn.cut == id;
        if (tn.cut != no_node && !glue) continue;
        if (z.rrset(tn, rr_type::a) == nullptr && z.rrset(tn, rr_type::aaaa) == nullptr) continue;
        bool seen = false;
        for (std::uint32_t j = set.targets_begin; j < z.targets_.size(); ++j) seen |= z.targets_[j] == t;
        if (!seen) z.targets_.push_back(t);
      }
      set.targets_count = static_cast<std::uint16_t>(z.targets_.size() - set.targets_begin);
    }
  }

  if (diags.error_count() != errors_before) return nullptr;
  // The records were the bulk of the memory; give it back to the system now
  // rather than keep a fragmented heap for the life of the process.
  records.clear();
  records.shrink_to_fit();
  rec_node = {};
  order = {};
  b.parent = {};
  by_length = {};
  z.nodes_.shrink_to_fit();
  z.rrsets_.shrink_to_fit();
  z.names_.shrink_to_fit();
  z.rdata_.shrink_to_fit();
  z.targets_.shrink_to_fit();
  malloc_trim(0);
  return zone;
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
