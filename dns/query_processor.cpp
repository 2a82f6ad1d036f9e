#include "dns/query_processor.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "base/log.hpp"
#include "dns/axfr.hpp"
#include "dns/lookup.hpp"
#include "dns/query_log.hpp"
#include "dns/response_builder.hpp"
#include "dns/rr_types.hpp"
#include "dns/wire_query.hpp"
#include "dns/zone_data.hpp"

namespace gslb::dns {

namespace {

// RFC 1035 §3.3.14 TXT RDATA: one character-string of at most 255 octets.
std::string txt_rdata(const std::string& text) {
  const std::size_t n = std::min<std::size_t>(text.size(), 255);
  std::string rdata(1, static_cast<char>(n));
  rdata.append(text, 0, n);
  return rdata;
}

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "gslb";
  return buffer;
}

// RFC 1982 §3.2 serial number arithmetic: a < b in 32-bit sequence space.
bool serial_less(std::uint32_t a, std::uint32_t b) {
  return a != b && static_cast<std::int32_t>(b - a) > 0;
}

bool same_key(const std::uint8_t* key, std::size_t length, std::string_view literal) {
  return length == literal.size() && std::memcmp(key, literal.data(), length) == 0;
}

}  // namespace

struct QueryProcessor::Impl {
  ProcessorOptions options;
  const DynamicAnswerSource* dynamic = nullptr;
  std::string version_rdata;
  std::string identity_rdata;
  WireQuery query;
  LookupResult result;
  ResponseBuilder builder;
  DynamicAnswer dynamic_result;         // the source fills it in place: no allocation per query
  const ZoneData* rate_zone = nullptr;  // the zone of the last query, for its rate key

  Processed respond(std::size_t size) { return {ProcessResult::respond, size, nullptr}; }

  // An answer with no records: FORMERR/NOTIMP/REFUSED/SERVFAIL/BADVERS.
  Processed empty_answer(std::span<std::uint8_t> out, std::size_t limit, std::uint16_t rc, const std::uint8_t* opt,
                         std::size_t opt_length) {
    if (!builder.start(out.data(), limit, opt_length, query, query.has_question))
      return {ProcessResult::drop, 0, nullptr};
    return respond(builder.finish(static_cast<std::uint8_t>(rc & 0x0f), false, false, opt, opt_length));
  }

  Processed chaos(std::span<std::uint8_t> out, std::size_t limit, const std::uint8_t* opt, std::size_t opt_length);
  Processed dynamic_answer(const DynamicAnswer& d, const ZoneData& zone, std::span<std::uint8_t> out, std::size_t limit,
                           std::uint8_t* opt, std::size_t opt_length, const Edns& edns);
};

QueryProcessor::QueryProcessor(ProcessorOptions options, const DynamicAnswerSource* dynamic)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->dynamic = dynamic;
  impl_->version_rdata = txt_rdata(impl_->options.chaos_version);
  impl_->identity_rdata =
      txt_rdata(impl_->options.chaos_identity.empty() ? host_name() : impl_->options.chaos_identity);
}

QueryProcessor::~QueryProcessor() = default;

Processed QueryProcessor::Impl::chaos(std::span<std::uint8_t> out, std::size_t limit, const std::uint8_t* opt,
                                      std::size_t opt_length) {
  const std::uint8_t* key = query.qname_lower;
  const std::size_t n = query.qname_length;
  using namespace std::string_view_literals;
  const std::string* rdata = nullptr;
  if (same_key(key, n,
               "\x07version\x04"
               "bind\x00"sv) ||
      same_key(key, n, "\x07version\x06server\x00"sv)) {
    rdata = &version_rdata;
  } else if (same_key(key, n, "\x02id\x06server\x00"sv) || same_key(key, n,
                                                                    "\x08hostname\x04"
                                                                    "bind\x00"sv)) {
    rdata = &identity_rdata;
  }
  if (!options.answer_chaos || rdata == nullptr) return empty_answer(out, limit, rcode::refused, opt, opt_length);
  if (!builder.start(out.data(), limit, opt_length, query, true)) return {ProcessResult::drop, 0, nullptr};
  if (query.qtype == rr_type::txt || query.qtype == rr_type::any) {
    builder.add_rr(ResponseBuilder::answer, query.qname_lower, n, rr_type::txt, rr_class::ch, 0,
                   reinterpret_cast<const std::uint8_t*>(rdata->data()), rdata->size());
  }
  // Not zone data, so not authoritative (Knot and NSD leave AA clear too).
  return respond(builder.finish(rcode::noerror, false, false, opt, opt_length));
}

Processed QueryProcessor::Impl::dynamic_answer(const DynamicAnswer& d, const ZoneData& zone,
                                               std::span<std::uint8_t> out, std::size_t limit, std::uint8_t* opt,
                                               std::size_t opt_length, const Edns& edns) {
  // RFC 7871 §7.2.1: the scope the engine computed goes back to the resolver.
  if (edns.present) {
    write_opt(opt, options.edns_udp_size, rcode::noerror, edns.dnssec_ok,
              edns.has_client_subnet ? &edns.client_subnet : nullptr, d.scope_prefix);
  }
  const std::uint8_t* opt_out = edns.present ? opt : nullptr;
  if (d.kind == DynamicAnswer::Kind::servfail) return empty_answer(out, limit, rcode::servfail, opt_out, opt_length);
  if (!builder.start(out.data(), limit, opt_length, query, true)) return {ProcessResult::drop, 0, nullptr};
  std::size_t address_length = 0;
  if (query.qtype == rr_type::a) address_length = 4;
  if (query.qtype == rr_type::aaaa) address_length = 16;
  bool tc = false;
  std::size_t written = 0;
  if (d.kind == DynamicAnswer::Kind::answer && address_length != 0) {
    for (const auto& address : d.addresses) {
      if (!builder.add_rr(ResponseBuilder::answer, query.qname_lower, query.qname_length, query.qtype, rr_class::in,
                          d.ttl, address.data(), address_length)) {
        // One RRset: all of it or none of it (RFC 2181 §9).
        tc = true;
        builder.start(out.data(), limit, opt_length, query, true);
        break;
      }
      ++written;
    }
  }
  if (written == 0 && !tc) {
    result.answer_count = result.authority_count = result.additional_count = 0;
    add_negative_soa(zone, result);
    if (!builder.add(ResponseBuilder::authority, zone, result.authority[0])) {
      tc = true;
      builder.start(out.data(), limit, opt_length, query, true);
    }
  }
  return respond(builder.finish(rcode::noerror, true, tc, opt_out, opt_length));
}

RateKey QueryProcessor::rate_key(std::span<const std::uint8_t> response) const {
  const Impl& m = *impl_;
  const WireQuery& q = m.query;
  RateKey key;
  const std::uint8_t rc = response[3] & 0x0f;
  const bool aa = (response[2] & 0x04) != 0;
  const std::uint16_t ancount = read_u16(response.data() + 6);
  const std::uint16_t nscount = read_u16(response.data() + 8);
  if (!q.has_question || (rc != rcode::noerror && rc != rcode::nxdomain)) {
    key.kind = static_cast<std::uint8_t>(RateKind::error);  // every error to a network: one stream
    return key;
  }
  key.qtype = q.qtype;
  const std::uint8_t* name = q.qname_lower;
  std::size_t length = q.qname_length;
  if (rc == rcode::nxdomain) {
    key.kind = static_cast<std::uint8_t>(RateKind::nxdomain);
  } else if (ancount != 0) {
    key.kind = static_cast<std::uint8_t>(RateKind::answer);
  } else if (!aa && nscount != 0) {
    key.kind = static_cast<std::uint8_t>(RateKind::referral);
  } else {
    key.kind = static_cast<std::uint8_t>(RateKind::nodata);
  }
  // Made-up names under one zone or delegation are one stream: otherwise
  // each random name would get its own allowance.
  const auto kind = static_cast<RateKind>(key.kind);
  if ((kind == RateKind::nxdomain || kind == RateKind::referral) && m.rate_zone != nullptr) {
    const ZoneNode& apex = m.rate_zone->node(m.rate_zone->apex());
    name = m.rate_zone->node_name(apex);
    length = apex.name_length;
  }
  key.name_hash = name_hash(name, length);
  return key;
}

Processed QueryProcessor::process(std::span<const std::uint8_t> packet, std::span<std::uint8_t> out, QueryContext& ctx,
                                  const ZoneSet& zones) {
  Impl& m = *impl_;
  WireQuery& q = m.query;
  m.rate_zone = nullptr;
  const WireStatus status = parse_query(packet, q);
  if (status == WireStatus::drop) return {ProcessResult::drop, 0, nullptr};
  const bool tcp = ctx.transport == Transport::tcp;
  const std::size_t capacity = std::min<std::size_t>(out.size(), 65535);
  if (status == WireStatus::formerr || status == WireStatus::notimp) {
    // RFC 6891 §7: a query with a well-formed OPT gets ours back, even in an
    // error answer (Knot does; NSD omits it); a broken OPT gets none.
    std::uint8_t error_opt[11];
    std::size_t error_opt_length = 0;
    if (q.edns.present && q.edns.version == 0)
      error_opt_length = write_opt(error_opt, m.options.edns_udp_size, rcode::noerror, q.edns.dnssec_ok, nullptr, 0);
    std::uint16_t rc = status == WireStatus::formerr ? rcode::formerr : rcode::notimp;
    // We are a primary only: a NOTIFY (RFC 1996) is for secondaries, and none
    // is accepted from anyone, so it is refused as not authorized (as Knot
    // answers it; NSD says REFUSED). Every other opcode, UPDATE included, is
    // NOTIMP by design (RFC 1035 §4.1.1): zones change in Git, not over DNS.
    if (status == WireStatus::notimp && q.opcode == opcode::notify) rc = rcode::notauth;
    return m.empty_answer(out, std::min<std::size_t>(capacity, 512), rc, error_opt_length != 0 ? error_opt : nullptr,
                          error_opt_length);
  }

  // RFC 6891 §6.2.5: a UDP reply may use up to the smaller of the two payload
  // sizes, never less than 512; without EDNS the RFC 1035 limit of 512 holds.
  const Edns& edns = q.edns;
  std::size_t limit = capacity;
  if (!tcp) {
    const std::size_t payload =
        edns.present ? std::max<std::size_t>(512, std::min<std::size_t>(edns.udp_size, m.options.edns_udp_size)) : 512;
    limit = std::min(limit, payload);
  }

  std::uint8_t opt[11 + 8 + 16];
  std::size_t opt_length = 0;
  const std::uint8_t* opt_out = nullptr;
  if (edns.present) {
    if (edns.version != 0) {
      // RFC 6891 §6.1.3: BADVERS, and our OPT says which version we speak.
      opt_length = write_opt(opt, m.options.edns_udp_size, rcode::badvers, edns.dnssec_ok, nullptr, 0);
      return m.empty_answer(out, limit, rcode::badvers, opt, opt_length);
    }
    ClientInfo& client = ctx.client;
    client.has_ecs = edns.has_client_subnet;
    if (edns.has_client_subnet) {
      client.ecs_family = edns.client_subnet.family;
      client.ecs_source_prefix = edns.client_subnet.source_prefix;
      client.ecs_address = edns.client_subnet.address;
    }
    // RFC 7871 §7.2.1: echo ECS; scope 0 unless a dynamic answer says otherwise.
    opt_length = write_opt(opt, m.options.edns_udp_size, rcode::noerror, edns.dnssec_ok,
                           edns.has_client_subnet ? &edns.client_subnet : nullptr, 0);
    opt_out = opt;
  } else {
    ctx.client.has_ecs = false;
  }

  if (q.qclass == rr_class::ch) return m.chaos(out, limit, opt_out, opt_length);
  if (q.qclass != rr_class::in && q.qclass != rr_class::any)
    return m.empty_answer(out, limit, rcode::refused, opt_out, opt_length);

  const std::string_view key(reinterpret_cast<const char*>(q.qname_lower), q.qname_length);
  const Zone* found = zones.find(key);
  if (found == nullptr) return m.empty_answer(out, limit, rcode::refused, opt_out, opt_length);
  const auto* zone = static_cast<const ZoneData*>(found);
  m.rate_zone = zone;
  const std::size_t origin_length = zone->origin().size();

  if (q.qtype == rr_type::axfr || q.qtype == rr_type::ixfr) {
    // Transfers are of a whole zone, asked at its apex (RFC 5936 §2.1.2).
    if (origin_length != q.qname_length) return m.empty_answer(out, limit, rcode::refused, opt_out, opt_length);
    // RFC 5936 §4.2: AXFR is TCP only; Knot and NSD answer NOTIMP over UDP.
    if (q.qtype == rr_type::axfr && !tcp) return m.empty_answer(out, limit, rcode::notimp, opt_out, opt_length);
    // RFC 5936 §4.2 / RFC 1995: IXFR, even the SOA-only reply over UDP, only
    // to clients on the allow-list (NSD says REFUSED, Knot NOTAUTH).
    if (!axfr_allowed(m.options.transfer_allow, ctx.client.source)) {
      // Logged over TCP only: a UDP source address can be forged at will.
      if (tcp) {
        const auto* from = reinterpret_cast<const sockaddr*>(&ctx.client.source);
        base::log_info("axfr", "refused ", describe_question(packet), " to ",
                       base::SocketAddress(from, sizeof ctx.client.source).to_string(),
                       " (not in the transfer allow-list)");
      }
      return m.empty_answer(out, limit, rcode::refused, opt_out, opt_length);
    }
    if (q.qtype == rr_type::axfr) return {ProcessResult::axfr, 0, zone};
    // IXFR without journals (RFC 1995 §4): over TCP a client that is behind
    // gets the whole zone AXFR-style; otherwise our SOA alone, which says
    // "up to date" or, over UDP, "ask again over TCP".
    const bool behind = !q.has_client_serial || serial_less(q.client_serial, zone->serial());
    if (tcp && behind) return {ProcessResult::axfr, 0, zone};
    if (!m.builder.start(out.data(), limit, opt_length, q, true)) return {ProcessResult::drop, 0, nullptr};
    const ZoneNode& apex = zone->node(zone->apex());
    SectionEntry e;
    e.owner = zone->node_name(apex);
    e.owner_length = apex.name_length;
    e.ttl = zone->soa().ttl;
    e.rrset = &zone->soa();
    const bool tc = !m.builder.add(ResponseBuilder::answer, *zone, e);
    return m.respond(m.builder.finish(rcode::noerror, true, tc, opt_out, opt_length));
  }

  // RFC 4035 §3.1.4.1: DS lives in the parent; when we serve the parent as
  // well, a DS query at a child apex is answered from it.
  if (q.qtype == rr_type::ds && origin_length == q.qname_length && q.qname_lower[0] != 0) {
    const std::size_t skip = std::size_t{q.qname_lower[0]} + 1;
    if (const Zone* parent = zones.find(key.substr(skip))) zone = static_cast<const ZoneData*>(parent);
  }

  if (m.dynamic != nullptr) {
    if (m.dynamic->answer(key, q.qtype, ctx.client, m.dynamic_result))
      return m.dynamic_answer(m.dynamic_result, *zone, out, limit, opt, opt_length, edns);
  }

  LookupResult& r = m.result;
  lookup(*zone, LookupQuery{q.qname_lower, q.qname_length, q.qtype, tcp, edns.dnssec_ok}, r);
  ResponseBuilder& b = m.builder;
  if (!b.start(out.data(), limit, opt_length, q, true)) return {ProcessResult::drop, 0, nullptr};
  // Truncation (RFC 2181 §9): never a partial RRset. As Knot does, the RRsets
  // that fit stay, TC is set at the first answer or authority RRset that does
  // not, and nothing is added after it; the client retries over TCP.
  bool tc = false;
  for (std::size_t i = 0; i < r.answer_count && !tc; ++i) tc = !b.add(ResponseBuilder::answer, *zone, r.answer[i]);
  for (std::size_t i = 0; i < r.authority_count && !tc; ++i)
    tc = !b.add(ResponseBuilder::authority, *zone, r.authority[i]);
  if (!tc) {
    for (std::size_t i = 0; i < r.additional_count; ++i) {
      if (!b.add(ResponseBuilder::additional, *zone, r.additional[i])) {
        // RFC 9471 §3: glue a referral needs must fit, or the answer is truncated.
        tc = !r.authoritative;
        break;
      }
    }
  }
  return m.respond(b.finish(r.rcode, r.authoritative, tc, opt_out, opt_length));
}

}  // namespace gslb::dns
