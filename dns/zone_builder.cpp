#include "dns/zone_builder.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

#include "dns/rr_types.hpp"
#include "dns/zone_checks.hpp"
#include "dns/zone_data.hpp"

namespace gslb::dns {

namespace {

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

// A record between add() and finish(): 24 bytes plus its RDATA in an arena.
using Pending = CompactRecord;

}  // namespace

struct ZoneBuilder::State {
  std::shared_ptr<ZoneData> zone;
  Name origin;
  std::string origin_key;
  std::string origin_text;
  std::vector<std::uint32_t> parent;  // per node
  std::vector<Pending> pending;
  std::vector<std::uint8_t> pending_rdata;
  std::vector<std::shared_ptr<const std::string>> files;
  std::size_t errors = 0;
  // With checks (enable_checks): diagnostics wait here until check() puts
  // them in file order.
  bool checks = false;
  bool checked = false;
  std::string zone_file;
  std::vector<OrderedDiagnostic> found;
  std::vector<std::uint32_t> dropped_at;                    // CompactZone::dropped_at
  std::unordered_map<std::uint32_t, std::string> spelling;  // CompactZone::spelling
  std::vector<std::uint32_t> order;                         // CompactZone::order, made by sort()

  ZoneData& z() { return *zone; }

  std::uint16_t file_index(const std::shared_ptr<const std::string>& file) {
    // Records come file by file: the last one is almost always the match.
    for (std::size_t i = files.size(); i-- > 0;)
      if (files[i] == file) return static_cast<std::uint16_t>(i);
    if (files.size() == 65535) return 0;
    files.push_back(file);
    return static_cast<std::uint16_t>(files.size() - 1);
  }
  void sort();
  std::string file_name(const Pending& p) const { return files[p.file] ? *files[p.file] : std::string(); }
  void error(base::DiagnosticList& diags, const Pending& p, std::string message) {
    diags.error(file_name(p), static_cast<int>(p.line), 0, std::move(message));
    ++errors;
  }
  std::string owner_text(std::uint32_t node) {
    const ZoneNode& n = z().node(node);
    return Name::from_wire(std::string_view(reinterpret_cast<const char*>(z().node_name(n)), n.name_length))
        .to_string();
  }

  std::uint32_t probe(const std::uint8_t* key, std::size_t n, std::uint32_t h) const {
    const ZoneData& d = *zone;
    const std::size_t mask = d.slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint64_t s = d.slots_[i];
      if (s == 0) return static_cast<std::uint32_t>(i) | 0x80000000u;  // free slot
      if (static_cast<std::uint32_t>(s >> 32) != h) continue;
      const std::uint32_t id = static_cast<std::uint32_t>(s) - 1;
      const ZoneNode& nd = d.nodes_[id];
      if (nd.name_length == n && std::memcmp(d.names_.data() + nd.name_offset, key, n) == 0) return id;
    }
  }

  void grow() {
    ZoneData& d = z();
    std::vector<std::uint64_t> next(d.slots_.empty() ? 1024 : d.slots_.size() * 2, 0);
    const std::size_t mask = next.size() - 1;
    for (std::uint32_t i = 0; i < d.nodes_.size(); ++i) {
      std::size_t k = d.nodes_[i].hash & mask;
      while (next[k] != 0) k = (k + 1) & mask;
      next[k] = (std::uint64_t{d.nodes_[i].hash} << 32) | (i + 1);
    }
    d.slots_.swap(next);
  }

  // Inserts `key` (not inside names_) and every missing ancestor down to the
  // apex (empty non-terminals are nodes too: RFC 4592 §2.2.2 needs them to
  // stop wildcard synthesis, RFC 1034 §4.3.2 to answer NODATA, not NXDOMAIN).
  std::uint32_t insert(const std::uint8_t* key, std::size_t n) {
    ZoneData& d = z();
    const std::size_t apex_length = origin_key.size();
    std::uint32_t first = no_node;
    std::uint32_t child = no_node;
    for (;;) {
      if ((d.nodes_.size() + 1) * 2 > d.slots_.size()) grow();
      const std::uint32_t h = name_hash(key, n);
      const std::uint32_t r = probe(key, n, h);
      std::uint32_t id;
      const bool existed = (r & 0x80000000u) == 0;
      if (existed) {
        id = r;
      } else {
        id = static_cast<std::uint32_t>(d.nodes_.size());
        ZoneNode nd;
        nd.hash = h;
        nd.name_offset = static_cast<std::uint32_t>(d.names_.size());
        nd.name_length = static_cast<std::uint8_t>(n);
        d.names_.insert(d.names_.end(), key, key + n);
        d.nodes_.push_back(nd);
        parent.push_back(no_node);
        d.slots_[r & 0x7fffffffu] = (std::uint64_t{h} << 32) | (id + 1);
      }
      if (child != no_node) parent[child] = id;
      if (first == no_node) first = id;
      if (existed || n <= apex_length) return first;
      child = id;
      // The parent's key is a suffix of this one, in the caller's buffer.
      const std::size_t skip = std::size_t{key[0]} + 1;
      key += skip;
      n -= skip;
    }
  }
};

ZoneBuilder::ZoneBuilder(const Name& origin, std::size_t expected_records) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.zone.reset(new ZoneData(origin));
  s.origin = origin;
  s.origin_key = origin.canonical_key();
  s.origin_text = origin.to_string();
  ZoneData& z = s.z();
  // Size the table once for the likely node count (owners + a few ENTs) so
  // that building a large zone does not rehash repeatedly.
  std::size_t slots = 1024;
  while (slots < (expected_records + 16) * 2) slots *= 2;
  z.slots_.assign(slots, 0);
  z.nodes_.reserve(expected_records + 16);
  z.names_.reserve(expected_records * 16);
  s.parent.reserve(expected_records + 16);
  s.pending.reserve(expected_records);
  s.pending_rdata.reserve(expected_records * 8);
  z.apex_ = s.insert(reinterpret_cast<const std::uint8_t*>(s.origin_key.data()), s.origin_key.size());
}

ZoneBuilder::~ZoneBuilder() = default;

void ZoneBuilder::enable_checks(std::string zone_file) {
  state_->checks = true;
  state_->zone_file = std::move(zone_file);
}

void ZoneBuilder::add(const Record& r, base::DiagnosticList& diags) {
  State& s = *state_;
  Pending p{};
  p.file = s.file_index(r.where.file);
  p.line = static_cast<std::uint32_t>(r.where.line);
  const std::size_t position = s.pending.size() + s.dropped_at.size();
  // With checks, a record's problems are reported with the rest, in file order.
  auto drop = [&](std::string message) {
    if (s.checks) {
      s.found.push_back(
          {position, {s.file_name(p), static_cast<int>(p.line), 0, base::Severity::error, std::move(message)}});
      s.dropped_at.push_back(static_cast<std::uint32_t>(s.pending.size()));
    } else {
      s.error(diags, p, std::move(message));
    }
  };
  if (s.checks) {
    if (!check_record_alone(s.origin, r, position, s.zone_file, s.found)) {
      s.dropped_at.push_back(static_cast<std::uint32_t>(s.pending.size()));
      return;
    }
  } else if (!r.owner.is_subdomain_of(s.origin)) {
    return drop("record owner " + r.owner.to_string() + " is outside zone " + s.origin_text);
  }
  if (r.rclass != rr_class::in) return drop("record class is not IN");
  if (r.type == rr_type::opt || r.type == rr_type::axfr || r.type == rr_type::ixfr || r.type == rr_type::any) {
    return drop("meta type " + std::to_string(r.type) + " cannot appear in a zone");
  }
  if (r.rdata.size() > 65535) return drop("RDATA longer than 65535 octets");
  std::uint8_t key[max_name_length];
  const std::string& w = r.owner.wire();
  bool lower = true;
  for (std::size_t k = 0; k < w.size(); ++k) {
    key[k] = dns_tolower(static_cast<std::uint8_t>(w[k]));
    lower &= key[k] == static_cast<std::uint8_t>(w[k]);
  }
  if (s.checks && !lower) s.spelling.emplace(static_cast<std::uint32_t>(s.pending.size()), w);
  p.node = s.insert(key, w.size());
  p.type = r.type;
  p.ttl = r.ttl;
  p.rdata_offset = static_cast<std::uint32_t>(s.pending_rdata.size());
  p.rdata_length = static_cast<std::uint16_t>(r.rdata.size());
  s.pending_rdata.insert(s.pending_rdata.end(), r.rdata.begin(), r.rdata.end());
  s.pending.push_back(p);
}

void ZoneBuilder::State::sort() {
  if (order.size() == pending.size() && !pending.empty()) return;
  const std::uint8_t* prd = pending_rdata.data();
  // Group records by (node, type) and order RDATA inside an RRset canonically
  // (RFC 4034 §6.3), which also puts duplicates next to each other, the one
  // first in the file first.
  order.resize(pending.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t c) {
    const Pending& pa = pending[a];
    const Pending& pc = pending[c];
    if (pa.node != pc.node) return pa.node < pc.node;
    if (pa.type != pc.type) return pa.type < pc.type;
    const int cmp =
        std::memcmp(prd + pa.rdata_offset, prd + pc.rdata_offset, std::min(pa.rdata_length, pc.rdata_length));
    if (cmp != 0) return cmp < 0;
    if (pa.rdata_length != pc.rdata_length) return pa.rdata_length < pc.rdata_length;
    return a < c;
  });
}

void ZoneBuilder::check(base::DiagnosticList& diags, std::vector<bool>* kept, std::vector<std::uint32_t>* ttl) {
  State& s = *state_;
  if (!s.checks || s.checked) return;
  s.checked = true;
  s.sort();
  CompactZone view;
  view.origin = &s.origin;
  view.zone_file = &s.zone_file;
  view.zone = s.zone.get();
  view.parent = s.parent;
  view.records = s.pending;
  view.order = s.order;
  view.rdata = s.pending_rdata.data();
  view.files = s.files;
  view.dropped_at = s.dropped_at;
  view.spelling = &s.spelling;
  const std::vector<bool> removed = check_compact_zone(view, s.found);
  std::stable_sort(s.found.begin(), s.found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [position, d] : s.found) {
    if (d.severity == base::Severity::error) ++s.errors;
    diags.add(std::move(d));
  }
  s.found = {};
  s.spelling = {};
  if (kept == nullptr && ttl == nullptr) return;
  // Per record handed to add(), dropped ones included.
  const std::size_t total = s.pending.size() + s.dropped_at.size();
  if (kept != nullptr) kept->assign(total, false);
  if (ttl != nullptr) ttl->assign(total, 0);
  std::size_t d = 0;
  std::size_t position = 0;
  for (std::uint32_t i = 0; i <= s.pending.size(); ++i) {
    while (d < s.dropped_at.size() && s.dropped_at[d] == i) {
      ++d;
      ++position;
    }
    if (i == s.pending.size()) break;
    if (kept != nullptr) (*kept)[position] = !removed[i];
    if (ttl != nullptr) (*ttl)[position] = s.pending[i].ttl;
    ++position;
  }
}

Zone::ConstPtr ZoneBuilder::finish(base::DiagnosticList& diags) {
  State& s = *state_;
  ZoneData& z = s.z();
  check(diags);
  // The checks found the zone unservable: indexing it would only cost time.
  if (s.checks && s.errors != 0) return nullptr;
  s.sort();
  const bool checks = s.checks;  // the checks reported what the index would find again
  const std::vector<Pending>& pending = s.pending;
  const std::uint8_t* prd = s.pending_rdata.data();
  auto rdata_equal = [&](const Pending& a, const Pending& c) {
    return a.rdata_length == c.rdata_length &&
           std::memcmp(prd + a.rdata_offset, prd + c.rdata_offset, a.rdata_length) == 0;
  };
  std::vector<std::uint32_t>& order = s.order;

  z.rrsets_.reserve(order.size());
  z.rdata_.reserve(s.pending_rdata.size() + 2 * order.size());
  std::uint32_t soa_count = 0;
  for (std::size_t i = 0; i < order.size();) {
    const std::uint32_t nid = pending[order[i]].node;
    ZoneNode& nd = z.nodes_[nid];
    nd.rrsets_begin = static_cast<std::uint32_t>(z.rrsets_.size());
    bool has_cname = false, has_other = false;
    while (i < order.size() && pending[order[i]].node == nid) {
      const Pending& first = pending[order[i]];
      ZoneRRset set;
      set.type = first.type;
      set.ttl = first.ttl;
      set.rdata_offset = static_cast<std::uint32_t>(z.rdata_.size());
      const Pending* prev = nullptr;
      while (i < order.size() && pending[order[i]].node == nid && pending[order[i]].type == set.type) {
        const Pending& r = pending[order[i]];
        ++i;
        if (prev != nullptr && rdata_equal(*prev, r)) continue;  // RFC 2181 §5: an RRset has no duplicates
        prev = &r;
        if (set.count == 65535) {
          s.error(diags, r, "RRset has more than 65535 records");
          continue;
        }
        set.ttl = std::min(set.ttl, r.ttl);  // RFC 2181 §5.2
        z.rdata_.push_back(static_cast<std::uint8_t>(r.rdata_length >> 8));
        z.rdata_.push_back(static_cast<std::uint8_t>(r.rdata_length));
        z.rdata_.insert(z.rdata_.end(), prd + r.rdata_offset, prd + r.rdata_offset + r.rdata_length);
        ++set.count;
        if (set.type == rr_type::soa) ++soa_count;
        if (set.type == rr_type::cname && set.count > 1)
          if (!checks) s.error(diags, r, "more than one CNAME record at " + s.owner_text(nid));
      }
      if (set.type == rr_type::cname) {
        has_cname = true;
      } else if (set.type != rr_type::rrsig && set.type != 47 /* NSEC */) {
        has_other = true;
      }
      if (set.type == rr_type::soa) {
        if (nid != z.apex_) {
          if (!checks) s.error(diags, first, "SOA record outside the zone apex");
        } else {
          z.soa_rrset_ = static_cast<std::uint32_t>(z.rrsets_.size());
        }
      }
      if (set.type == rr_type::ns && nid != z.apex_) nd.flags |= ZoneNode::delegation;
      if (set.type == rr_type::dname) nd.flags |= ZoneNode::has_dname;
      z.rrsets_.push_back(set);
      ++nd.rrsets_count;
    }
    if (has_cname) {
      nd.flags |= ZoneNode::has_cname;
      // RFC 1034 §3.6.2 / RFC 2181 §10.1: a CNAME owner has no other data.
      const Pending& r = pending[order[i - 1]];
      if (!checks && has_other) s.error(diags, r, "CNAME and other data at " + s.owner_text(nid));
      if (!checks && nid == z.apex_) s.error(diags, r, "CNAME at the zone apex");
    }
  }
  s.pending = {};
  s.pending_rdata = {};
  s.order = {};
  z.record_count_ = 0;
  for (const ZoneRRset& set : z.rrsets_) z.record_count_ += set.count;

  auto zone_error = [&](const std::string& message) {
    diags.error("", 0, 0, "zone " + s.origin_text + message);
    ++s.errors;
  };
  if (soa_count != 1 || z.rrset(z.nodes_[z.apex_], rr_type::soa) == nullptr) {
    zone_error(soa_count == 0 ? " has no SOA record" : " has more than one SOA record");
  } else {
    // SOA RDATA: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM (RFC 1035 §3.3.13).
    const ZoneRRset& soa = z.rrsets_[z.soa_rrset_];
    const std::uint8_t* p = z.rdata(soa) + 2;
    const std::uint8_t* end = p + read_u16(p - 2);
    const std::size_t m = wire_name_length(p, end);
    const std::size_t r = m == 0 ? 0 : wire_name_length(p + m, end);
    if (m == 0 || r == 0 || p + m + r + 20 != end) {
      zone_error(": malformed SOA RDATA");
    } else {
      z.serial_ = read_u32(p + m + r);
      z.negative_ttl_ = std::min(soa.ttl, read_u32(p + m + r + 16));
    }
  }
  z.signed_ = z.rrset(z.nodes_[z.apex_], 48 /* DNSKEY */) != nullptr;
  if (!checks && z.rrset(z.nodes_[z.apex_], rr_type::ns) == nullptr)
    diags.warning("", 0, 0, "zone " + s.origin_text + " has no NS records at the apex");

  // Wildcard flags and the owning cut of each node. Parents have shorter
  // names, so visiting nodes by name length settles a parent before its
  // children; a counting sort does that in O(n) (lengths are at most 255).
  std::vector<std::uint32_t> by_length(z.nodes_.size());
  {
    std::vector<std::uint32_t> start(max_name_length + 2, 0);
    for (const ZoneNode& nd : z.nodes_) ++start[nd.name_length + 1];
    for (std::size_t l = 1; l < start.size(); ++l) start[l] += start[l - 1];
    for (std::uint32_t i = 0; i < z.nodes_.size(); ++i) by_length[start[z.nodes_[i].name_length]++] = i;
  }
  for (std::uint32_t id : by_length) {
    ZoneNode& nd = z.nodes_[id];
    const std::uint32_t p = s.parent[id];
    if (p == no_node) continue;  // apex
    const std::uint8_t* nm = z.node_name(nd);
    if (nm[0] == 1 && nm[1] == '*') z.nodes_[p].flags |= ZoneNode::wildcard_child;
    const std::uint32_t pc = z.nodes_[p].cut;
    nd.cut = pc != no_node ? pc : ((nd.flags & ZoneNode::delegation) ? id : no_node);
  }
  by_length = {};
  s.parent = {};

  // Additional-section targets of NS/MX/SRV (RFC 1035 §3.3.9/§3.3.11, RFC
  // 2782): in-zone names with address records that are authoritative data, or
  // glue below the very cut the NS RRset belongs to.
  std::uint8_t key[max_name_length];
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

  if (s.errors != 0) return nullptr;
  z.nodes_.shrink_to_fit();
  z.rrsets_.shrink_to_fit();
  z.names_.shrink_to_fit();
  z.rdata_.shrink_to_fit();
  z.targets_.shrink_to_fit();
  // Building freed many small blocks (Records, temporaries): hand the memory
  // back now rather than keep a fragmented heap for the life of the process.
  malloc_trim(0);
  return std::move(s.zone);
}

}  // namespace gslb::dns
