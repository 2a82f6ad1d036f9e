#include "dns/zone_checks.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "dns/rr_types.hpp"
#include "dns/zone_builder.hpp"
#include "dns/zone_ldns.hpp"

namespace gslb::dns {

namespace {

constexpr std::uint32_t max_ttl = 0x7fffffff;  // RFC 2181 §8

class Checker {
 public:
  Checker(const CompactZone& z, std::vector<OrderedDiagnostic>& found)
      : z_(z),
        rec_(z.records),
        found_(found),
        removed_(z.records.size(), false),
        has_address_(z.zone->node_count(), false) {}

  std::vector<bool> run() {
    const auto order = z_.order;
    for (std::size_t begin = 0; begin < order.size();) {
      const std::uint32_t node = rec_[order[begin]].node;
      std::size_t end = begin + 1;
      while (end < order.size() && rec_[order[end]].node == node) ++end;
      check_node(order.subspan(begin, end - begin));
      begin = end;
    }
    zone_wide();
    return std::move(removed_);
  }

 private:
  std::size_t position(std::uint32_t i) const {
    const auto dropped = std::upper_bound(z_.dropped_at.begin(), z_.dropped_at.end(), i) - z_.dropped_at.begin();
    return i + static_cast<std::size_t>(dropped);
  }
  const std::shared_ptr<const std::string>& file(std::uint32_t i) const { return z_.files[rec_[i].file]; }
  void report(std::uint32_t i, base::Severity severity, std::string message) {
    const auto& f = file(i);
    found_.push_back(
        {position(i), {f ? *f : *z_.zone_file, static_cast<int>(rec_[i].line), 1, severity, std::move(message)}});
  }
  void error(std::uint32_t i, std::string message) { report(i, base::Severity::error, std::move(message)); }
  void warning(std::uint32_t i, std::string message) { report(i, base::Severity::warning, std::move(message)); }
  void zone_error(std::string message) {
    found_.push_back({0, {*z_.zone_file, 1, 1, base::Severity::error, std::move(message)}});
  }
  // Where record `i` is, as seen from a diagnostic about `from`: "line N" in
  // the same file, else "file:N".
  std::string at_line(std::uint32_t i, std::uint32_t from) const {
    const auto& a = file(i);
    const auto& b = file(from);
    const bool same_file = a == b || (a && b && *a == *b);
    const std::string line = std::to_string(rec_[i].line);
    if (same_file || !a) return "line " + line;
    return *a + ":" + line;
  }
  Name owner(std::uint32_t i) const {
    if (const auto it = z_.spelling->find(i); it != z_.spelling->end()) return Name::from_wire(it->second);
    const ZoneNode& n = z_.zone->node(rec_[i].node);
    return Name::from_wire(std::string_view(reinterpret_cast<const char*>(z_.zone->node_name(n)), n.name_length));
  }
  std::string owner_text(std::uint32_t i) const { return owner(i).to_string(); }
  bool rdata_equal(std::uint32_t a, std::uint32_t b) const {
    return rec_[a].rdata_length == rec_[b].rdata_length &&
           std::memcmp(z_.rdata + rec_[a].rdata_offset, z_.rdata + rec_[b].rdata_offset, rec_[a].rdata_length) == 0;
  }

  // `node`: one owner's records by type, then RDATA, then file order.
  void check_node(std::span<const std::uint32_t> node) {
    const std::uint32_t id = rec_[node.front()].node;
    const bool apex = id == z_.zone->apex();
    const std::uint16_t head_type = rec_[node.front()].type;
    // Most names own one record, and one A or TXT record alone can break no
    // rule checked here.
    if (node.size() == 1 && !apex && head_type != rr_type::soa && head_type != rr_type::ns &&
        head_type != rr_type::dname) {
      if (head_type == rr_type::a || head_type == rr_type::aaaa) has_address_[id] = true;
      return;
    }
    std::int64_t cname = -1;
    std::int64_t other = -1;  // first record that may not sit beside a CNAME
    for (std::size_t begin = 0; begin < node.size();) {
      const std::uint16_t type = rec_[node[begin]].type;
      std::size_t end = begin + 1;
      while (end < node.size() && rec_[node[end]].type == type) ++end;
      const std::uint32_t first = check_rrset(node.subspan(begin, end - begin), apex);
      if (type == rr_type::cname) {
        cname = first;
      } else if (type != rr_type::rrsig && type != rr_type::nsec) {
        if (other < 0 || rec_[other].line > rec_[first].line) other = first;
      }
      begin = end;
    }
    if (cname >= 0 && other >= 0 && !apex) {
      const auto c = static_cast<std::uint32_t>(cname);
      const auto o = static_cast<std::uint32_t>(other);
      error(c, "CNAME at " + owner_text(c) + " beside other data (" + type_to_string(rec_[o].type) + " at " +
                   at_line(o, c) + "); a CNAME owner can have no other records (RFC 1034 §3.6.2)");
    }
  }

  // `rrset`: one owner's records of one type, by RDATA then file order.
  // Returns the RRset's first record in file order.
  std::uint32_t check_rrset(std::span<const std::uint32_t> rrset, bool apex) {
    // RFC 2181 §5: an RRset is a set; identical records collapse to the first.
    std::vector<std::uint32_t>& kept = scratch_;
    kept.clear();
    for (std::size_t i = 0; i < rrset.size(); ++i) {
      if (i > 0 && rdata_equal(rrset[i - 1], rrset[i])) {
        std::size_t k = i - 1;
        while (removed_[rrset[k]]) --k;
        removed_[rrset[i]] = true;
        warning(rrset[i], "duplicate " + type_to_string(rec_[rrset[i]].type) + " record ignored (same as " +
                              at_line(rrset[k], rrset[i]) + ")");
        continue;
      }
      kept.push_back(rrset[i]);
    }
    std::sort(kept.begin(), kept.end());
    const std::uint32_t first = kept.front();
    const std::uint16_t type = rec_[first].type;
    const std::uint32_t id = rec_[first].node;

    // RFC 2181 §5.2: one TTL per RRset. Knot (3.2, checked side by side)
    // serves the TTL of the RRset's last record in the file; so do we, so
    // that both servers answer alike.
    const std::uint32_t last = kept.back();
    const std::uint32_t ttl = rec_[last].ttl;
    for (std::size_t n = 0; n < kept.size(); ++n) {
      const std::uint32_t i = kept[n];
      if (rec_[i].ttl != ttl) {
        warning(i, "TTL " + std::to_string(rec_[i].ttl) + " differs from TTL " + std::to_string(ttl) + " of the last " +
                       type_to_string(type) + " record of this RRset (" + at_line(last, i) + "); the RRset gets " +
                       std::to_string(ttl) + " (RFC 2181 §5.2)");
      }
      if (n > 0) extra_record(i, first, apex);
    }
    for (const std::uint32_t i : rrset) rec_[i].ttl = ttl;

    switch (type) {
      case rr_type::a:
      case rr_type::aaaa:
        has_address_[id] = true;
        break;
      case rr_type::soa:
        if (!apex) {
          for (const std::uint32_t i : kept) {
            error(i, "SOA record at " + owner_text(first) + ", which is not the zone apex " + z_.origin->to_string());
          }
        } else {
          soa_ = first;
          if (ttl == 0) warning(first, "SOA TTL is 0: negative answers will not be cached (RFC 2308 §5)");
        }
        break;
      case rr_type::ns: {
        if (apex) apex_ns_ = true;
        const ZoneNode& n = z_.zone->node(id);
        const std::uint8_t* name = z_.zone->node_name(n);
        const bool wildcard = n.name_length >= 2 && name[0] == 1 && name[1] == '*';
        for (const std::uint32_t i : kept) {
          if (wildcard) error(i, "NS record at the wildcard name " + owner_text(first) + " (RFC 4592 §4.2)");
          ns_records_.push_back(i);
        }
        break;
      }
      case rr_type::cname:
        if (apex) error(first, "CNAME at the zone apex " + z_.origin->to_string() + " (RFC 1034 §3.6.2)");
        break;
      case rr_type::dname:
        // Allowed at the apex too (as NSD and Knot load it): then every other
        // name of the zone is below it and reported as such.
        dnames_.emplace(id, first);
        break;
      default:
        break;
    }
    return first;
  }

  // A second distinct record in an RRset that may hold only one.
  void extra_record(std::uint32_t r, std::uint32_t first, bool apex) {
    const std::uint16_t type = rec_[r].type;
    if (type == rr_type::soa && apex) {
      error(r, "more than one SOA record at the zone apex (first at " + at_line(first, r) + ")");
    } else if (type == rr_type::cname) {
      error(r,
            "more than one CNAME record at " + owner_text(r) + " (first at " + at_line(first, r) + "; RFC 2181 §10.1)");
    } else if (type == rr_type::dname) {
      error(r,
            "more than one DNAME record at " + owner_text(r) + " (first at " + at_line(first, r) + "; RFC 6672 §2.4)");
    }
  }

  // RFC 6672 §2.3: a DNAME owner has no descendants; they could never be
  // reached. Each name's ancestors are a walk up the builder's parent links.
  void below_dname() {
    if (dnames_.empty()) return;
    std::unordered_set<std::uint32_t> reported;  // nodes
    for (std::uint32_t i = 0; i < rec_.size(); ++i) {
      if (removed_[i]) continue;
      const std::uint32_t node = rec_[i].node;
      std::size_t up_count = 1;
      for (std::uint32_t p = z_.parent[node]; p != no_node; p = z_.parent[p], ++up_count) {
        const auto it = dnames_.find(p);
        if (it == dnames_.end()) continue;
        if (reported.insert(node).second) {
          Name up = owner(i);
          for (std::size_t k = 0; k < up_count; ++k) up = up.parent();
          error(i, owner_text(i) + " is below the DNAME at " + up.to_string() + " (" + at_line(it->second, i) +
                       "), where no data can be reached (RFC 6672 §2.3)");
        }
        break;
      }
    }
  }

  void zone_wide() {
    below_dname();
    const std::string origin = z_.origin->to_string();
    if (soa_ < 0) zone_error("no SOA record at the zone apex " + origin);
    if (!apex_ns_) {
      if (soa_ >= 0) {
        error(static_cast<std::uint32_t>(soa_), "no NS records at the zone apex " + origin);
      } else {
        zone_error("no NS records at the zone apex " + origin);
      }
    }
    // A referral or an answer for the zone's own servers needs their
    // addresses from this zone when the server name lies inside it.
    for (const std::uint32_t i : ns_records_) {
      const std::string_view wire(reinterpret_cast<const char*>(z_.rdata + rec_[i].rdata_offset), rec_[i].rdata_length);
      const Name target = Name::from_wire(wire);
      if (!target.is_subdomain_of(*z_.origin)) continue;
      const std::string key = target.canonical_key();
      const std::uint32_t node = z_.zone->find(key);
      if (node == no_node || !has_address_[node]) {
        error(i, "NS target " + target.to_string() + " is inside the zone but has no A or AAAA record (glue)");
      }
    }
  }

  const CompactZone& z_;
  std::span<CompactRecord> rec_;
  std::vector<OrderedDiagnostic>& found_;
  std::vector<bool> removed_;
  std::vector<bool> has_address_;  // per node: a (kept) A or AAAA record
  std::int64_t soa_ = -1;          // first record of the apex SOA RRset
  bool apex_ns_ = false;
  std::vector<std::uint32_t> ns_records_;
  std::unordered_map<std::uint32_t, std::uint32_t> dnames_;  // DNAME owner node → its first record
  std::vector<std::uint32_t> scratch_;                       // check_rrset's, kept to spare an allocation per RRset
};

}  // namespace

std::vector<bool> check_compact_zone(const CompactZone& zone, std::vector<OrderedDiagnostic>& found) {
  return Checker(zone, found).run();
}

bool check_record_alone(const Name& origin, const Record& r, std::size_t position, const std::string& zone_file,
                        std::vector<OrderedDiagnostic>& found) {
  auto error = [&](std::string message) {
    found.push_back(
        {position,
         {r.where.file ? *r.where.file : zone_file, r.where.line, 1, base::Severity::error, std::move(message)}});
  };
  if (!r.owner.is_subdomain_of(origin)) {
    error("owner " + r.owner.to_string() + " is outside the zone " + origin.to_string());
    return false;
  }
  if (r.ttl > max_ttl) error("TTL " + std::to_string(r.ttl) + " is above 2147483647 (RFC 2181 §8)");
  return true;
}

void check_zone(const Name& origin, std::vector<Record>& records, const std::string& zone_file,
                base::DiagnosticList& diags) {
  ZoneBuilder builder(origin, records.size());
  builder.enable_checks(zone_file);
  for (const Record& r : records) builder.add(r, diags);
  std::vector<bool> kept;
  std::vector<std::uint32_t> ttl;
  builder.check(diags, &kept, &ttl);
  std::size_t out = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!kept[i]) continue;
    records[i].ttl = ttl[i];
    if (out != i) records[out] = std::move(records[i]);
    ++out;
  }
  records.resize(out);
}

}  // namespace gslb::dns
