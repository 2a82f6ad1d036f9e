#include "dns/lookup.hpp"

#include <cstring>

#include "dns/name.hpp"
#include "dns/rr_types.hpp"

namespace gslb::dns {

namespace {

template <std::size_t N>
void push(std::array<SectionEntry, N>& section, std::size_t& count, const SectionEntry& e) {
  if (count < N) section[count++] = e;
}

SectionEntry rrset_entry(const std::uint8_t* owner, std::size_t length, const ZoneRRset* s) {
  SectionEntry e;
  e.owner = owner;
  e.owner_length = static_cast<std::uint8_t>(length);
  e.ttl = s->ttl;
  e.rrset = s;
  return e;
}

bool already_listed(const LookupResult& out, const ZoneRRset* s) {
  for (std::size_t i = 0; i < out.answer_count; ++i)
    if (out.answer[i].rrset == s) return true;
  for (std::size_t i = 0; i < out.additional_count; ++i)
    if (out.additional[i].rrset == s) return true;
  return false;
}

// RFC 1034 §4.3.2 step 6 / RFC 1035 §3.3.9, §3.3.11, RFC 2782: address
// records of in-zone NS/MX/SRV targets, computed at zone build.
void add_additionals(const ZoneData& zone, const ZoneRRset& s, LookupResult& out) {
  const std::uint32_t* targets = zone.targets(s);
  for (std::uint16_t i = 0; i < s.targets_count; ++i) {
    const ZoneNode& t = zone.node(targets[i]);
    for (const std::uint16_t type : {rr_type::a, rr_type::aaaa}) {
      const ZoneRRset* rs = zone.rrset(t, type);
      if (rs != nullptr && !already_listed(out, rs))
        push(out.additional, out.additional_count, rrset_entry(zone.node_name(t), t.name_length, rs));
    }
  }
}

// RFC 1034 §4.3.2 step 3b: the NS RRset of the cut in authority, glue in
// additional; the DS RRset (parent-side data) too for DNSSEC-aware clients of
// a signed zone (RFC 4035 §3.1.4; Knot leaves it out of unsigned zones).
void add_referral(const ZoneData& zone, std::uint32_t cut, const LookupQuery& q, LookupResult& out) {
  const ZoneNode& n = zone.node(cut);
  const ZoneRRset* ns = zone.rrset(n, rr_type::ns);
  push(out.authority, out.authority_count, rrset_entry(zone.node_name(n), n.name_length, ns));
  if (q.dnssec_ok && zone.is_signed()) {
    if (const ZoneRRset* ds = zone.rrset(n, rr_type::ds))
      push(out.authority, out.authority_count, rrset_entry(zone.node_name(n), n.name_length, ds));
  }
  add_additionals(zone, *ns, out);
}

// True when the wire name (lower-case) is at or below the zone origin key.
bool in_zone(const std::uint8_t* name, std::size_t length, const std::uint8_t* origin, std::size_t origin_length) {
  std::size_t i = 0;
  while (length - i > origin_length) i += std::size_t{name[i]} + 1;
  return length - i == origin_length && same_bytes(name + i, origin, origin_length);
}

}  // namespace

void add_negative_soa(const ZoneData& zone, LookupResult& out) {
  const ZoneNode& apex = zone.node(zone.apex());
  SectionEntry e = rrset_entry(zone.node_name(apex), apex.name_length, &zone.soa());
  e.ttl = zone.negative_ttl();
  push(out.authority, out.authority_count, e);
}

void lookup(const ZoneData& zone, const LookupQuery& q, LookupResult& out) {
  out.rcode = rcode::noerror;
  out.authoritative = true;
  out.answer_count = out.authority_count = out.additional_count = 0;

  const ZoneNode& apex = zone.node(zone.apex());
  const std::uint8_t* origin = zone.node_name(apex);
  const std::size_t origin_length = apex.name_length;

  const std::uint8_t* name = q.qname;
  std::size_t length = q.qname_length;
  std::uint32_t visited[LookupResult::max_chain + 1];
  std::size_t visited_count = 0;
  std::uint8_t wildcard_key[max_name_length];

  for (std::size_t hop = 0;; ++hop) {
    std::uint32_t id = zone.find(name, length);
    if (id == no_node) {
      // Closest encloser (RFC 4592 §3.3.1): the nearest existing ancestor.
      // Empty non-terminals are nodes, so they stop the walk as they must.
      const std::uint8_t* p = name;
      std::size_t n = length;
      std::uint32_t encloser = no_node;
      while (n > origin_length && encloser == no_node) {
        const std::size_t skip = std::size_t{p[0]} + 1;
        p += skip;
        n -= skip;
        encloser = zone.find(p, n);
      }
      if (encloser == no_node) encloser = zone.apex();
      const ZoneNode& e = zone.node(encloser);
      if (e.cut != no_node) {
        if (hop == 0) out.authoritative = false;
        add_referral(zone, e.cut, q, out);
        return;
      }
      if ((e.flags & ZoneNode::has_dname) != 0) {
        // RFC 6672 §3.2: a DNAME at the closest encloser redirects every
        // name below it: the DNAME, then a CNAME synthesized from the query
        // name with the owner's labels replaced by the DNAME's target.
        const ZoneRRset* dname = zone.rrset(e, rr_type::dname);
        push(out.answer, out.answer_count, rrset_entry(zone.node_name(e), e.name_length, dname));
        const std::uint8_t* rd = zone.rdata(*dname);
        const std::size_t target_length = wire_name_length(rd + 2, read_u16(rd));
        const std::size_t prefix = length - n;
        if (target_length == 0) return;
        if (prefix + target_length > max_name_length) {
          out.rcode = rcode::yxdomain;  // RFC 6672 §2.2: the new name does not fit
          return;
        }
        std::uint8_t* target = out.chain_names[hop];
        std::memcpy(target, name, prefix);
        copy_lower(target + prefix, rd + 2, target_length);
        SectionEntry cname;
        cname.owner = name;
        cname.owner_length = static_cast<std::uint8_t>(length);
        cname.ttl = dname->ttl;  // RFC 6672 §3.1
        cname.synthesized = target;
        cname.synthesized_length = static_cast<std::uint8_t>(prefix + target_length);
        push(out.answer, out.answer_count, cname);
        if (hop + 1 >= LookupResult::max_chain) return;
        if (!in_zone(target, prefix + target_length, origin, origin_length)) return;
        name = target;
        length = prefix + target_length;
        continue;
      }
      if ((e.flags & ZoneNode::wildcard_child) == 0) {
        // RFC 2308 §2.1 / RFC 6604 §3: NXDOMAIN reflects the last name looked up.
        out.rcode = rcode::nxdomain;
        add_negative_soa(zone, out);
        return;
      }
      wildcard_key[0] = 1;
      wildcard_key[1] = '*';
      std::memcpy(wildcard_key + 2, p, n);
      id = zone.find(wildcard_key, n + 2);
      if (id == no_node) {  // flag and table disagree: cannot happen for a built zone
        out.rcode = rcode::servfail;
        return;
      }
    }
    const ZoneNode& node = zone.node(id);
    if (node.cut != no_node && !(node.cut == id && q.qtype == rr_type::ds)) {
      // At or below a cut; only DS at the cut itself is the parent's own data
      // (RFC 4035 §3.1.4.1).
      if (hop == 0) out.authoritative = false;
      add_referral(zone, node.cut, q, out);
      return;
    }
    // Owner of every RR answered here: the name asked for, also when the data
    // comes from a wildcard (RFC 4592 §2.2.2: synthesized RRs take the QNAME).
    // ANY at an alias is answered with the CNAME itself, not followed (as Knot).
    if ((node.flags & ZoneNode::has_cname) != 0 && q.qtype != rr_type::cname && q.qtype != rr_type::any) {
      const ZoneRRset* cname = zone.rrset(node, rr_type::cname);
      for (std::size_t i = 0; i < visited_count; ++i) {
        if (visited[i] == id) return;  // a loop: stop with the chain so far
      }
      visited[visited_count++] = id;
      push(out.answer, out.answer_count, rrset_entry(name, length, cname));
      if (hop + 1 >= LookupResult::max_chain) return;
      const std::uint8_t* rd = zone.rdata(*cname);
      const std::size_t target_length = wire_name_length(rd + 2, read_u16(rd));
      if (target_length == 0) return;
      std::uint8_t* target = out.chain_names[hop];
      copy_lower(target, rd + 2, target_length);
      // RFC 1034 §4.3.2 step 3a: restart in this zone; a target elsewhere is
      // left to the resolver.
      if (!in_zone(target, target_length, origin, origin_length)) return;
      name = target;
      length = target_length;
      continue;
    }
    if (q.qtype == rr_type::any) {
      if (node.rrsets_count == 0) {
        add_negative_soa(zone, out);
        return;
      }
      // RFC 8482 §4.1: over UDP one RRset (the lowest type, as Knot picks
      // the first), over TCP all of them.
      const ZoneRRset* sets = zone.rrsets_begin(node);
      const std::uint16_t count = q.tcp ? node.rrsets_count : 1;
      for (std::uint16_t i = 0; i < count; ++i) {
        push(out.answer, out.answer_count, rrset_entry(name, length, &sets[i]));
        if (sets[i].targets_count != 0) add_additionals(zone, sets[i], out);
      }
      return;
    }
    if (const ZoneRRset* rs = zone.rrset(node, q.qtype)) {
      push(out.answer, out.answer_count, rrset_entry(name, length, rs));
      if (rs->targets_count != 0) add_additionals(zone, *rs, out);
      return;
    }
    add_negative_soa(zone, out);  // NODATA (RFC 2308 §2.2), ENTs included
    return;
  }
}

}  // namespace gslb::dns
