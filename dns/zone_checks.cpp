#include "dns/zone_checks.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "dns/zone_ldns.hpp"

namespace gslb::dns {

namespace {

constexpr std::uint16_t type_a = 1;
constexpr std::uint16_t type_ns = 2;
constexpr std::uint16_t type_cname = 5;
constexpr std::uint16_t type_soa = 6;
constexpr std::uint16_t type_aaaa = 28;
constexpr std::uint16_t type_dname = 39;
constexpr std::uint16_t type_rrsig = 46;
constexpr std::uint16_t type_nsec = 47;
constexpr std::uint32_t max_ttl = 0x7fffffff;  // RFC 2181 §8

// FNV-1a over the lower-cased wire name: equal names (RFC 4343) hash alike.
std::uint64_t name_hash(const std::string& wire) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : wire) {
    h ^= dns_tolower(static_cast<std::uint8_t>(c));
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool is_wildcard(const Name& name) {
  return name.size() >= 2 && name.wire()[0] == 1 && name.wire()[1] == '*';
}

// Sorting these rather than the records keeps the sort in cache: records are
// only touched again for names whose hashes collide and for each RRset.
struct Key {
  std::uint64_t hash;
  std::uint16_t type;
  bool apex;
  std::uint32_t index;
  friend bool operator<(const Key& a, const Key& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (a.type != b.type) return a.type < b.type;
    return a.index < b.index;
  }
};

class Checker {
 public:
  Checker(const Name& origin, std::vector<Record>& records, const std::string& zone_file, base::DiagnosticList& diags)
      : origin_(origin), records_(records), zone_file_(zone_file), diags_(diags), removed_(records.size(), false) {}

  void run() {
    keys_.reserve(records_.size());
    for (std::uint32_t i = 0; i < records_.size(); ++i) {
      const Record& r = records_[i];
      if (!r.owner.is_subdomain_of(origin_)) {
        error(r, "owner " + r.owner.to_string() + " is outside the zone " + origin_.to_string());
        removed_[i] = true;
        continue;
      }
      if (r.ttl > max_ttl) {
        error(r, "TTL " + std::to_string(r.ttl) + " is above 2147483647 (RFC 2181 §8)");
      }
      keys_.push_back({name_hash(r.owner.wire()), r.type, r.owner.equals(origin_), i});
    }
    std::sort(keys_.begin(), keys_.end());

    std::vector<std::uint32_t> node;
    for (std::size_t begin = 0; begin < keys_.size();) {
      std::size_t end = begin + 1;
      while (end < keys_.size() && keys_[end].hash == keys_[begin].hash) ++end;
      // Most names own one record, and one A or TXT record alone can break
      // no rule checked here: skip it without touching the record, whose
      // cache miss would otherwise dominate the checks' run time.
      const Key& k = keys_[begin];
      if (end - begin == 1 && !k.apex && k.type != type_soa && k.type != type_ns && k.type != type_dname) {
        begin = end;
        continue;
      }
      split_by_name(std::span<const Key>(keys_).subspan(begin, end - begin), node);
      begin = end;
    }
    zone_wide();
    std::stable_sort(found_.begin(), found_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [order, d] : found_) diags_.add(std::move(d));
    compact();
  }

 private:
  // Diagnostics are found in hash order; they are reported in file order.
  void report(const Record& r, base::Severity severity, std::string message) {
    const auto order = static_cast<std::size_t>(&r - records_.data());
    found_.push_back(
        {order, {r.where.file ? *r.where.file : zone_file_, r.where.line, 1, severity, std::move(message)}});
  }
  void error(const Record& r, std::string message) { report(r, base::Severity::error, std::move(message)); }
  void warning(const Record& r, std::string message) { report(r, base::Severity::warning, std::move(message)); }
  void zone_error(std::string message) {
    found_.push_back({0, {zone_file_, 1, 1, base::Severity::error, std::move(message)}});
  }
  // Where `r` is, as seen from a diagnostic about `from`: "line N" in the
  // same file, else "file:N".
  static std::string at_line(const Record& r, const Record& from) {
    const bool same_file =
        r.where.file == from.where.file || (r.where.file && from.where.file && *r.where.file == *from.where.file);
    if (same_file || !r.where.file) return "line " + std::to_string(r.where.line);
    return *r.where.file + ":" + std::to_string(r.where.line);
  }

  // Names whose hashes collide share a run of keys; separate them (rare).
  void split_by_name(std::span<const Key> run, std::vector<std::uint32_t>& node) {
    std::vector<bool>& taken = scratch_taken_;
    taken.assign(run.size(), false);
    for (std::size_t i = 0; i < run.size(); ++i) {
      if (taken[i]) continue;
      node.clear();
      const Name& owner = records_[run[i].index].owner;
      for (std::size_t j = i; j < run.size(); ++j) {
        if (!taken[j] && (j == i || records_[run[j].index].owner.equals(owner))) {
          taken[j] = true;
          node.push_back(run[j].index);
        }
      }
      check_node(node);
    }
  }

  // `node`: the indexes of one owner's records, by type then file order.
  void check_node(std::vector<std::uint32_t>& node) {
    const Record& head = records_[node.front()];
    const bool apex = head.owner.equals(origin_);
    const Record* cname = nullptr;
    const Record* other = nullptr;  // first record that may not sit beside a CNAME
    for (std::size_t begin = 0; begin < node.size();) {
      std::size_t end = begin + 1;
      while (end < node.size() && records_[node[end]].type == head_type(node, begin)) ++end;
      const std::span<std::uint32_t> rrset(node.data() + begin, end - begin);
      check_rrset(rrset, apex);
      const Record& first = records_[rrset.front()];
      if (first.type == type_cname) {
        cname = &first;
      } else if (first.type != type_rrsig && first.type != type_nsec) {
        if (other == nullptr || other->where.line > first.where.line) other = &first;
      }
      begin = end;
    }
    if (cname != nullptr && other != nullptr && !apex) {
      error(*cname, "CNAME at " + cname->owner.to_string() + " beside other data (" + type_to_string(other->type) +
                        " at " + at_line(*other, *cname) +
                        "); a CNAME owner can have no other records (RFC 1034 §3.6.2)");
    }
  }

  std::uint16_t head_type(const std::vector<std::uint32_t>& node, std::size_t at) const {
    return records_[node[at]].type;
  }

  // `rrset`: one owner's records of one type, in file order.
  void check_rrset(std::span<std::uint32_t> rrset, bool apex) {
    // RFC 2181 §5: an RRset is a set; identical records collapse to the first.
    std::vector<std::uint32_t>& by_rdata = scratch_by_rdata_;
    by_rdata.assign(rrset.begin(), rrset.end());
    std::sort(by_rdata.begin(), by_rdata.end(), [&](std::uint32_t a, std::uint32_t b) {
      const auto& ra = records_[a].rdata;
      const auto& rb = records_[b].rdata;
      if (ra != rb) return ra < rb;
      return a < b;
    });
    for (std::size_t i = 1; i < by_rdata.size(); ++i) {
      const Record& kept = records_[by_rdata[i - 1]];
      if (records_[by_rdata[i]].rdata == kept.rdata && !removed_[by_rdata[i]]) {
        // by_rdata[i-1] may itself be a duplicate; find the kept original.
        std::size_t k = i - 1;
        while (removed_[by_rdata[k]]) --k;
        removed_[by_rdata[i]] = true;
        warning(records_[by_rdata[i]], "duplicate " + type_to_string(kept.type) + " record ignored (same as " +
                                           at_line(records_[by_rdata[k]], records_[by_rdata[i]]) + ")");
      }
    }

    const Record& first = records_[rrset.front()];
    // RFC 2181 §5.2: one TTL per RRset. Knot (3.2, checked side by side)
    // serves the TTL of the RRset's last record in the file; so do we, so
    // that both servers answer alike.
    const std::uint32_t last =
        *std::find_if(rrset.rbegin(), rrset.rend(), [&](std::uint32_t i) { return !removed_[i]; });
    const std::uint32_t ttl = records_[last].ttl;
    std::size_t distinct = 0;
    for (const std::uint32_t i : rrset) {
      if (removed_[i]) continue;
      Record& r = records_[i];
      ++distinct;
      if (r.ttl != ttl) {
        warning(r, "TTL " + std::to_string(r.ttl) + " differs from TTL " + std::to_string(ttl) + " of the last " +
                       type_to_string(r.type) + " record of this RRset (" + at_line(records_[last], r) +
                       "); the RRset gets " + std::to_string(ttl) + " (RFC 2181 §5.2)");
      }
      if (distinct > 1) extra_record(r, first, apex);
    }
    for (const std::uint32_t i : rrset) records_[i].ttl = ttl;

    switch (first.type) {
      case type_soa:
        if (!apex) {
          for (const std::uint32_t i : rrset) {
            if (!removed_[i]) {
              error(records_[i],
                    "SOA record at " + first.owner.to_string() + ", which is not the zone apex " + origin_.to_string());
            }
          }
        } else {
          soa_ = &first;
          if (first.ttl == 0) warning(first, "SOA TTL is 0: negative answers will not be cached (RFC 2308 §5)");
        }
        break;
      case type_ns:
        if (apex) apex_ns_ = true;
        for (const std::uint32_t i : rrset) {
          if (removed_[i]) continue;
          if (is_wildcard(first.owner)) {
            error(records_[i], "NS record at the wildcard name " + first.owner.to_string() + " (RFC 4592 §4.2)");
          }
          ns_records_.push_back(i);
        }
        break;
      case type_cname:
        if (apex) error(first, "CNAME at the zone apex " + origin_.to_string() + " (RFC 1034 §3.6.2)");
        break;
      case type_dname:
        if (apex) error(first, "DNAME at the zone apex " + origin_.to_string());
        // An apex DNAME is reported above; everything would be below it.
        if (!apex) dnames_.emplace(first.owner.canonical_key(), rrset.front());
        break;
      default:
        break;
    }
  }

  // A second distinct record in an RRset that may hold only one.
  void extra_record(const Record& r, const Record& first, bool apex) {
    if (r.type == type_soa && apex) {
      error(r, "more than one SOA record at the zone apex (first at " + at_line(first, r) + ")");
    } else if (r.type == type_cname) {
      error(r, "more than one CNAME record at " + r.owner.to_string() + " (first at " + at_line(first, r) +
                   "; RFC 2181 §10.1)");
    } else if (r.type == type_dname) {
      error(r, "more than one DNAME record at " + r.owner.to_string() + " (first at " + at_line(first, r) +
                   "; RFC 6672 §2.4)");
    }
  }

  bool has_address(const Name& name) const {
    const std::uint64_t h = name_hash(name.wire());
    auto it = std::lower_bound(keys_.begin(), keys_.end(), Key{h, 0, false, 0});
    for (; it != keys_.end() && it->hash == h; ++it) {
      if ((it->type == type_a || it->type == type_aaaa) && !removed_[it->index] &&
          records_[it->index].owner.equals(name)) {
        return true;
      }
    }
    return false;
  }

  // RFC 6672 §2.3: a DNAME owner has no descendants; they could never be
  // reached. Only run when the zone has DNAMEs: each name's ancestors are
  // looked up (a handful of labels), not every pair of names compared.
  void below_dname() {
    if (dnames_.empty()) return;
    std::unordered_set<std::string> reported;
    for (std::uint32_t i = 0; i < records_.size(); ++i) {
      if (removed_[i]) continue;
      const Record& r = records_[i];
      for (Name up = r.owner.parent(); up.size() >= origin_.size() && !up.is_root(); up = up.parent()) {
        const auto it = dnames_.find(up.canonical_key());
        if (it == dnames_.end()) continue;
        if (reported.insert(r.owner.canonical_key()).second) {
          error(r, r.owner.to_string() + " is below the DNAME at " + up.to_string() + " (" +
                       at_line(records_[it->second], r) + "), where no data can be reached (RFC 6672 §2.3)");
        }
        break;
      }
    }
  }

  void zone_wide() {
    below_dname();
    if (soa_ == nullptr) {
      zone_error("no SOA record at the zone apex " + origin_.to_string());
    }
    if (!apex_ns_) {
      if (soa_ != nullptr) {
        error(*soa_, "no NS records at the zone apex " + origin_.to_string());
      } else {
        zone_error("no NS records at the zone apex " + origin_.to_string());
      }
    }
    // A referral or an answer for the zone's own servers needs their
    // addresses from this zone when the server name lies inside it.
    for (const std::uint32_t i : ns_records_) {
      const Record& ns = records_[i];
      const Name target =
          Name::from_wire(std::string_view(reinterpret_cast<const char*>(ns.rdata.data()), ns.rdata.size()));
      if (target.is_subdomain_of(origin_) && !has_address(target)) {
        error(ns, "NS target " + target.to_string() + " is inside the zone but has no A or AAAA record (glue)");
      }
    }
  }

  void compact() {
    std::size_t out = 0;
    for (std::size_t i = 0; i < records_.size(); ++i) {
      if (removed_[i]) continue;
      if (out != i) records_[out] = std::move(records_[i]);
      ++out;
    }
    records_.resize(out);
  }

  const Name& origin_;
  std::vector<Record>& records_;
  const std::string& zone_file_;
  base::DiagnosticList& diags_;
  std::vector<bool> removed_;
  std::vector<Key> keys_;
  const Record* soa_ = nullptr;
  bool apex_ns_ = false;
  std::vector<std::uint32_t> ns_records_;
  std::unordered_map<std::string, std::uint32_t> dnames_;  // DNAME owner key → its first record
  std::vector<std::pair<std::size_t, base::Diagnostic>> found_;
  std::vector<bool> scratch_taken_;              // split_by_name's, kept to spare an allocation per name
  std::vector<std::uint32_t> scratch_by_rdata_;  // check_rrset's, likewise
};

}  // namespace

void check_zone(const Name& origin, std::vector<Record>& records, const std::string& zone_file,
                base::DiagnosticList& diags) {
  Checker(origin, records, zone_file, diags).run();
}

}  // namespace gslb::dns
