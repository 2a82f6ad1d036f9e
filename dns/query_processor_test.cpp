// Wire-level behaviour of QueryProcessor: error answers, EDNS, ECS,
// truncation, ANY, CHAOS, transfers and the dynamic-answer hook. Responses
// are parsed back with ldns.
#include "dns/query_processor.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "dns/response_builder.hpp"
#include "dns/rr_types.hpp"
#include "dns/test_zones.hpp"

namespace gslb::dns {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Header + one question, built by hand so tests can break any part of it.
Bytes raw_query(const std::string& wire_name, std::uint16_t qtype, std::uint16_t qclass = 1, std::uint16_t qdcount = 1,
                std::uint8_t flags1 = 0x01) {
  Bytes b;
  b.reserve(12 + wire_name.size() + 4);
  for (std::uint8_t c : {0x12, 0x34, int{flags1}, 0, 0, int{qdcount}, 0, 0, 0, 0, 0, 0})
    b.push_back(static_cast<std::uint8_t>(c));
  for (char c : wire_name) b.push_back(static_cast<std::uint8_t>(c));
  b.push_back(static_cast<std::uint8_t>(qtype >> 8));
  b.push_back(static_cast<std::uint8_t>(qtype));
  b.push_back(static_cast<std::uint8_t>(qclass >> 8));
  b.push_back(static_cast<std::uint8_t>(qclass));
  return b;
}

// Appends an OPT RR to the additional section.
void add_opt(Bytes& b, std::uint16_t udp_size, std::uint8_t version = 0, const Bytes& options = {},
             std::uint8_t owner_first = 0) {
  b.push_back(owner_first);
  const std::uint8_t fixed[] = {
      0, 41, static_cast<std::uint8_t>(udp_size >> 8),       static_cast<std::uint8_t>(udp_size),      0, version,
      0, 0,  static_cast<std::uint8_t>(options.size() >> 8), static_cast<std::uint8_t>(options.size())};
  b.insert(b.end(), fixed, fixed + sizeof fixed);
  b.insert(b.end(), options.begin(), options.end());
  b[11] = static_cast<std::uint8_t>(b[11] + 1);
}

Bytes ecs_option(std::uint16_t family, std::uint8_t source, std::uint8_t scope, const Bytes& address) {
  Bytes o = {0,      8,    0, static_cast<std::uint8_t>(4 + address.size()), 0, static_cast<std::uint8_t>(family),
             source, scope};
  o.insert(o.end(), address.begin(), address.end());
  return o;
}

const std::string www = std::string(
    "\x03www\x07"
    "example\x03"
    "com\x00",
    17);

struct Fixture {
  ZoneSet::ConstPtr zones = testing::example_zone_set();
  Bytes out = Bytes(65535);
  sockaddr_storage client = base::SocketAddress::parse("127.0.0.1:5300")->storage();

  Processed run(QueryProcessor& p, const Bytes& q, Transport t = Transport::udp, QueryContext* ctx_out = nullptr) {
    QueryContext ctx;
    ctx.transport = t;
    ctx.client.source = client;
    const Processed r = p.process(q, out, ctx, *zones);
    if (ctx_out != nullptr) *ctx_out = ctx;
    return r;
  }
  // Parses a response; the test fails if ldns cannot.
  ldns_pkt* parse(const Processed& r) {
    ldns_pkt* pkt = nullptr;
    REQUIRE(r.result == ProcessResult::respond);
    REQUIRE(ldns_wire2pkt(&pkt, out.data(), r.size) == LDNS_STATUS_OK);
    return pkt;
  }
  int rcode(const Processed& r) { return out[3] & 0x0f; }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "malformed and unsupported queries") {
  QueryProcessor p(ProcessorOptions{});
  SUBCASE("short header and responses are dropped") {
    CHECK(run(p, Bytes{1, 2, 3}).result == ProcessResult::drop);
    CHECK(run(p, raw_query(www, 1, 1, 1, 0x81)).result == ProcessResult::drop);
  }
  SUBCASE("QDCOUNT 0 and 2 are FORMERR with no question") {
    for (std::uint16_t qd : {0, 2}) {
      auto q = raw_query(www, 1, 1, qd);
      const auto r = run(p, q);
      REQUIRE(r.result == ProcessResult::respond);
      CHECK(r.size == 12);
      CHECK(rcode(r) == rcode::formerr);
      CHECK(out[0] == 0x12);
      CHECK(out[1] == 0x34);
      CHECK((out[2] & 0x80) != 0);
    }
  }
  SUBCASE("truncated question is FORMERR") {
    auto q = raw_query(www, 1);
    for (std::size_t cut = 13; cut < q.size(); ++cut) {
      const auto r = run(p, Bytes(q.begin(), q.begin() + static_cast<long>(cut)));
      REQUIRE(r.result == ProcessResult::respond);
      CHECK(rcode(r) == rcode::formerr);
    }
  }
  SUBCASE("compression pointer or bad label in the question is FORMERR") {
    CHECK(rcode(run(p, raw_query(std::string("\x03www\xc0\x0c", 6), 1))) == rcode::formerr);
    CHECK(rcode(run(p, raw_query(std::string("\x40", 1) + std::string(64, 'a') + '\0', 1))) == rcode::formerr);
  }
  SUBCASE("two OPT RRs, OPT outside additional, non-root OPT owner are FORMERR") {
    auto q = raw_query(www, 1);
    add_opt(q, 1232);
    add_opt(q, 1232);
    auto r = run(p, q);
    CHECK(rcode(r) == rcode::formerr);
    CHECK(r.size == q.size() - 22);  // header + question only

    auto q2 = raw_query(www, 1);
    add_opt(q2, 1232);
    q2[11] = 0;
    q2[7] = 1;  // the OPT counted as an answer RR
    CHECK(rcode(run(p, q2)) == rcode::formerr);

    auto q3 = raw_query(www, 1);
    add_opt(q3, 1232, 0, {}, 0xc0);
    q3.insert(q3.begin() + static_cast<long>(q3.size() - 10), 0x0c);  // owner = pointer to the qname
    CHECK(rcode(run(p, q3)) == rcode::formerr);
  }
  SUBCASE("OPT option overrunning its RDATA is FORMERR") {
    auto q = raw_query(www, 1);
    add_opt(q, 1232, 0, Bytes{0, 10, 0, 9, 1});
    CHECK(rcode(run(p, q)) == rcode::formerr);
  }
  SUBCASE("invalid ECS is FORMERR (RFC 7871 7.1.2)") {
    const std::vector<Bytes> bad = {
        ecs_option(3, 8, 0, {10}),              // unknown family
        ecs_option(1, 33, 0, {1, 2, 3, 4, 5}),  // prefix longer than IPv4
        ecs_option(1, 24, 0, {192, 0, 2, 0}),   // address longer than the prefix
        ecs_option(1, 24, 0, {192, 0}),         // shorter
        ecs_option(1, 23, 0, {192, 0, 3}),      // a bit set beyond /23
        ecs_option(2, 129, 0, Bytes(17, 0)),    // prefix longer than IPv6
        Bytes{0, 8, 0, 2, 0, 1},                // too short
    };
    for (const auto& option : bad) {
      auto q = raw_query(www, 1);
      add_opt(q, 1232, 0, option);
      CHECK(rcode(run(p, q)) == rcode::formerr);
    }
    // Two ECS options, each well-formed: which subnet to answer for is
    // ambiguous, so the query is malformed too.
    Bytes two = ecs_option(1, 24, 0, {192, 0, 2});
    const Bytes second = ecs_option(1, 24, 0, {198, 51, 100});
    two.insert(two.end(), second.begin(), second.end());
    auto q = raw_query(www, 1);
    add_opt(q, 1232, 0, two);
    CHECK(rcode(run(p, q)) == rcode::formerr);
  }
  SUBCASE("opcode other than QUERY is NOTIMP, NOTIFY is NOTAUTH; question echoed") {
    ldns_pkt* pkt = parse(run(p, raw_query(www, 6, 1, 1, 0x28 | 0x01)));  // UPDATE
    CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOTIMPL);
    CHECK(ldns_pkt_qdcount(pkt) == 1);
    CHECK(ldns_pkt_get_opcode(pkt) == LDNS_PACKET_UPDATE);
    ldns_pkt_free(pkt);
    pkt = parse(run(p, raw_query(www, 6, 1, 1, 0x20 | 0x01)));  // NOTIFY: we are no secondary
    CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOTAUTH);
    CHECK(ldns_pkt_qdcount(pkt) == 1);
    CHECK(ldns_pkt_get_opcode(pkt) == LDNS_PACKET_NOTIFY);
    ldns_pkt_free(pkt);
  }
  SUBCASE("classes other than IN, CH and ANY are REFUSED; class ANY answers IN data") {
    CHECK(rcode(run(p, raw_query(www, 1, 4))) == rcode::refused);  // HS
    ldns_pkt* pkt = parse(run(p, raw_query(www, 1, 255)));
    CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_ancount(pkt) == 2);
    ldns_pkt_free(pkt);
  }
}

TEST_CASE_FIXTURE(Fixture, "EDNS: echo, payload size, BADVERS, DO") {
  QueryProcessor p(ProcessorOptions{});
  SUBCASE("OPT echoed with our size, DO copied") {
    ldns_pkt* pkt =
        parse(run(p, testing::query_wire("www.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 4096, true)));
    CHECK(ldns_pkt_edns(pkt));
    CHECK(ldns_pkt_edns_udp_size(pkt) == 1232);
    CHECK(ldns_pkt_edns_do(pkt));
    CHECK(ldns_pkt_edns_version(pkt) == 0);
    CHECK(ldns_pkt_ancount(pkt) == 2);
    ldns_pkt_free(pkt);
  }
  SUBCASE("no EDNS in, none out") {
    ldns_pkt* pkt = parse(run(p, testing::query_wire("www.example.com.", LDNS_RR_TYPE_A)));
    CHECK_FALSE(ldns_pkt_edns(pkt));
    ldns_pkt_free(pkt);
  }
  SUBCASE("version 1 is BADVERS with no answer") {
    auto q = raw_query(www, 1);
    add_opt(q, 1232, 1);
    ldns_pkt* pkt = parse(run(p, q));
    CHECK(ldns_pkt_ancount(pkt) == 0);
    CHECK(ldns_pkt_edns(pkt));
    CHECK(ldns_pkt_edns_version(pkt) == 0);
    // 12-bit rcode 16 = upper 8 bits 1 in OPT, lower 4 bits 0 in the header.
    CHECK(ldns_pkt_edns_extended_rcode(pkt) == 1);
    CHECK(ldns_pkt_get_rcode(pkt) == 0);
    ldns_pkt_free(pkt);
  }
  SUBCASE("unknown options are ignored") {
    auto q = raw_query(www, 1);
    add_opt(q, 1232, 0, Bytes{0xfd, 0xe9, 0, 2, 0xab, 0xcd});
    ldns_pkt* pkt = parse(run(p, q));
    CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_ancount(pkt) == 2);
    ldns_pkt_free(pkt);
  }
}

TEST_CASE_FIXTURE(Fixture, "ECS is parsed into the context and echoed with scope 0 for static data") {
  QueryProcessor p(ProcessorOptions{});
  auto q = raw_query(www, 1);
  add_opt(q, 1232, 0, ecs_option(1, 22, 0, {198, 51, 100}));
  QueryContext ctx;
  const auto r = run(p, q, Transport::udp, &ctx);
  CHECK(ctx.client.has_ecs);
  CHECK(ctx.client.ecs_family == 1);
  CHECK(ctx.client.ecs_source_prefix == 22);
  CHECK(ctx.client.ecs_address[0] == 198);
  CHECK(ctx.client.ecs_address[2] == 100);
  CHECK(ctx.client.ecs_address[3] == 0);
  // The OPT is last; its option is the ECS echo with scope 0.
  const Bytes expect = {0, 8, 0, 7, 0, 1, 22, 0, 198, 51, 100};
  REQUIRE(r.size > expect.size());
  CHECK(Bytes(out.begin() + static_cast<long>(r.size - expect.size()), out.begin() + static_cast<long>(r.size)) ==
        expect);
  ldns_pkt* pkt = parse(r);
  CHECK(ldns_pkt_ancount(pkt) == 2);
  ldns_pkt_free(pkt);
}

TEST_CASE_FIXTURE(Fixture, "truncation keeps whole RRsets and sets TC; TCP gets everything") {
  auto lines = testing::example_zone_lines();
  for (int i = 0; i < 60; ++i) lines.push_back("big 300 IN A 10.0.0." + std::to_string(i));
  lines.push_back("big 300 IN TXT \"" + std::string(200, 'x') + "\" \"" + std::string(200, 'y') + "\"");
  lines.push_back("bigalias 300 IN CNAME big");
  std::vector<Zone::ConstPtr> list{testing::zone_from_text("example.com.", lines)};
  zones = std::make_shared<const ZoneSet>(std::move(list));
  QueryProcessor p(ProcessorOptions{});

  // 60 A RRs ≈ 12 + 21 + 60 × 16 = 993 octets: too big for 512, fits 1232.
  const auto no_edns = run(p, testing::query_wire("big.example.com.", LDNS_RR_TYPE_A));
  CHECK(no_edns.size <= 512);
  ldns_pkt* pkt = parse(no_edns);
  CHECK(ldns_pkt_tc(pkt));
  CHECK(ldns_pkt_ancount(pkt) == 0);  // never a partial RRset
  ldns_pkt_free(pkt);

  // As Knot: the CNAME fits and stays, the A RRset does not and TC is set.
  pkt = parse(run(p, testing::query_wire("bigalias.example.com.", LDNS_RR_TYPE_A)));
  CHECK(ldns_pkt_tc(pkt));
  CHECK(ldns_pkt_ancount(pkt) == 1);
  CHECK(ldns_pkt_qdcount(pkt) == 1);
  ldns_pkt_free(pkt);

  const auto small_edns = run(p, testing::query_wire("big.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 600));
  CHECK(small_edns.size <= 600);
  pkt = parse(small_edns);
  CHECK(ldns_pkt_tc(pkt));
  CHECK(ldns_pkt_ancount(pkt) == 0);
  CHECK(ldns_pkt_edns(pkt));
  ldns_pkt_free(pkt);

  const auto large_edns = run(p, testing::query_wire("big.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 4096));
  CHECK(large_edns.size <= 1232);  // min(4096, ours)
  pkt = parse(large_edns);
  CHECK_FALSE(ldns_pkt_tc(pkt));
  CHECK(ldns_pkt_ancount(pkt) == 60);
  ldns_pkt_free(pkt);

  // ANY over TCP: every RRset at the name (RFC 8482 §4.1 allows it on TCP).
  const auto tcp_any = run(p, testing::query_wire("big.example.com.", LDNS_RR_TYPE_ANY), Transport::tcp);
  CHECK(tcp_any.size > 1232);
  pkt = parse(tcp_any);
  CHECK_FALSE(ldns_pkt_tc(pkt));
  CHECK(ldns_pkt_ancount(pkt) == 61);
  ldns_pkt_free(pkt);
}

TEST_CASE_FIXTURE(Fixture, "truncate_to_question: what a datagram refused for its size becomes") {
  QueryProcessor p(ProcessorOptions{});
  const Bytes query = testing::query_wire("www.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 4096);
  const auto full = run(p, query);
  ldns_pkt* pkt = parse(full);
  REQUIRE(ldns_pkt_ancount(pkt) > 0);
  ldns_pkt_free(pkt);

  const std::size_t cut = truncate_to_question(out.data(), full.size);
  CHECK(cut == 12 + www.size() + 4);
  pkt = parse(Processed{ProcessResult::respond, cut});
  CHECK(ldns_pkt_tc(pkt));
  CHECK(ldns_pkt_qr(pkt));
  CHECK(ldns_pkt_qdcount(pkt) == 1);
  CHECK(ldns_pkt_ancount(pkt) + ldns_pkt_nscount(pkt) + ldns_pkt_arcount(pkt) == 0);
  ldns_pkt_free(pkt);
  // ID and question as the client sent them.
  CHECK(std::memcmp(out.data(), query.data(), 2) == 0);
  CHECK(std::memcmp(out.data() + 12, query.data() + 12, www.size() + 4) == 0);

  // Nothing to keep: a header without a question, or a name running off the end.
  Bytes bad(12, 0);
  CHECK(truncate_to_question(bad.data(), bad.size()) == 0);
  Bytes cut_name = {0, 0, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w'};
  CHECK(truncate_to_question(cut_name.data(), cut_name.size()) == 0);
}

TEST_CASE_FIXTURE(Fixture, "ANY: one RRset over UDP, all over TCP (RFC 8482 4.1, as Knot)") {
  QueryProcessor p(ProcessorOptions{});
  ldns_pkt* pkt = parse(run(p, testing::query_wire("example.com.", LDNS_RR_TYPE_ANY)));
  CHECK(testing::section_text(ldns_pkt_answer(pkt)) ==
        std::vector<std::string>{"example.com. 3600 IN NS ns1.example.com.", "example.com. 3600 IN NS ns2.other.net."});
  CHECK(ldns_pkt_aa(pkt));
  ldns_pkt_free(pkt);
  pkt = parse(run(p, testing::query_wire("example.com.", LDNS_RR_TYPE_ANY), Transport::tcp));
  CHECK(ldns_pkt_ancount(pkt) == 5);  // SOA, 2 NS, 2 MX
  ldns_pkt_free(pkt);
  // At an alias, ANY gets the CNAME, not what it points to.
  pkt = parse(run(p, testing::query_wire("alias.example.com.", LDNS_RR_TYPE_ANY), Transport::tcp));
  CHECK(testing::section_text(ldns_pkt_answer(pkt)) ==
        std::vector<std::string>{"alias.example.com. 600 IN CNAME www.example.com."});
  ldns_pkt_free(pkt);
  pkt = parse(run(p, testing::query_wire("nope.example.com.", LDNS_RR_TYPE_ANY)));
  CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NXDOMAIN);
  ldns_pkt_free(pkt);
  pkt = parse(run(p, testing::query_wire("b.c.example.com.", LDNS_RR_TYPE_ANY)));
  CHECK(ldns_pkt_ancount(pkt) == 0);
  CHECK(ldns_pkt_nscount(pkt) == 1);
  ldns_pkt_free(pkt);
}

TEST_CASE_FIXTURE(Fixture, "CHAOS version and identity") {
  ProcessorOptions options;
  options.chaos_version = "gslb 1.2";
  options.chaos_identity = "dns-7";
  QueryProcessor p(options);
  ldns_pkt* pkt = parse(run(p, testing::query_wire("version.bind.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH)));
  CHECK(testing::section_text(ldns_pkt_answer(pkt)) == std::vector<std::string>{"version.bind. 0 CH TXT \"gslb 1.2\""});
  CHECK_FALSE(ldns_pkt_aa(pkt));
  ldns_pkt_free(pkt);
  pkt = parse(run(p, testing::query_wire("ID.Server.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH)));
  CHECK(testing::section_text(ldns_pkt_answer(pkt)) == std::vector<std::string>{"ID.Server. 0 CH TXT \"dns-7\""});
  ldns_pkt_free(pkt);
  CHECK(rcode(run(p, testing::query_wire("www.example.com.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH))) == rcode::refused);

  options.answer_chaos = false;
  QueryProcessor quiet(options);
  CHECK(rcode(run(quiet, testing::query_wire("version.bind.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH))) == rcode::refused);
}

TEST_CASE_FIXTURE(Fixture, "zone transfers only to the allow-list") {
  ProcessorOptions closed;
  QueryProcessor nobody(closed);  // the default: no transfers at all
  CHECK(rcode(run(nobody, testing::query_wire("example.com.", LDNS_RR_TYPE_AXFR), Transport::tcp)) == rcode::refused);
  CHECK(rcode(run(nobody, testing::query_wire("example.com.", LDNS_RR_TYPE_IXFR))) == rcode::refused);
  CHECK(rcode(run(nobody, testing::query_wire("example.com.", LDNS_RR_TYPE_IXFR), Transport::tcp)) == rcode::refused);
  CHECK(rcode(run(nobody, testing::query_wire("example.com.", LDNS_RR_TYPE_AXFR))) == rcode::notimp);  // UDP first

  ProcessorOptions other;
  other.transfer_allow = {*base::AddressPrefix::parse("127.0.0.2/32")};
  QueryProcessor someone_else(other);
  CHECK(rcode(run(someone_else, testing::query_wire("example.com.", LDNS_RR_TYPE_AXFR), Transport::tcp)) ==
        rcode::refused);

  ProcessorOptions open;
  open.transfer_allow = {*base::AddressPrefix::parse("127.0.0.0/8")};
  QueryProcessor p(open);
  const auto axfr_tcp = run(p, testing::query_wire("example.com.", LDNS_RR_TYPE_AXFR), Transport::tcp);
  CHECK(axfr_tcp.result == ProcessResult::axfr);
  REQUIRE(axfr_tcp.zone != nullptr);
  CHECK(axfr_tcp.zone->origin() == *Name::parse("example.com."));
  const auto records = axfr_tcp.zone->records_for_transfer();
  REQUIRE(!records.empty());
  CHECK(records.front().type == rr_type::soa);
  CHECK(records.size() == axfr_tcp.zone->record_count());

  CHECK(rcode(run(p, testing::query_wire("example.com.", LDNS_RR_TYPE_AXFR))) == rcode::notimp);
  CHECK(rcode(run(p, testing::query_wire("www.example.com.", LDNS_RR_TYPE_AXFR), Transport::tcp)) == rcode::refused);
  CHECK(rcode(run(p, testing::query_wire("example.org.", LDNS_RR_TYPE_AXFR), Transport::tcp)) == rcode::refused);

  ldns_pkt* pkt = parse(run(p, testing::query_wire("example.com.", LDNS_RR_TYPE_IXFR)));
  CHECK(ldns_pkt_ancount(pkt) == 1);
  CHECK(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(pkt), 0)) == LDNS_RR_TYPE_SOA);
  ldns_pkt_free(pkt);

  // IXFR with the client's SOA in authority (RFC 1995 §3).
  auto ixfr = [](std::uint32_t serial) {
    ldns_pkt* q = nullptr;
    ldns_pkt_query_new_frm_str(&q, "example.com.", LDNS_RR_TYPE_IXFR, LDNS_RR_CLASS_IN, 0);
    ldns_rr* soa = nullptr;
    const std::string text =
        "example.com. 3600 IN SOA ns1.example.com. h.example.com. " + std::to_string(serial) + " 7200 3600 1209600 300";
    ldns_rr_new_frm_str(&soa, text.c_str(), 3600, nullptr, nullptr);
    ldns_pkt_push_rr(q, LDNS_SECTION_AUTHORITY, soa);
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    ldns_pkt2wire(&wire, q, &size);
    Bytes b(wire, wire + size);
    LDNS_FREE(wire);
    ldns_pkt_free(q);
    return b;
  };
  CHECK(run(p, ixfr(2024010100), Transport::tcp).result == ProcessResult::axfr);  // behind: whole zone
  const auto current = run(p, ixfr(2024010101), Transport::tcp);                  // up to date: SOA only
  REQUIRE(current.result == ProcessResult::respond);
  pkt = parse(current);
  CHECK(ldns_pkt_ancount(pkt) == 1);
  ldns_pkt_free(pkt);
  pkt = parse(run(p, ixfr(2024010100)));  // over UDP: SOA only, the client retries over TCP
  CHECK(ldns_pkt_ancount(pkt) == 1);
  ldns_pkt_free(pkt);
}

TEST_CASE_FIXTURE(Fixture, "referral carries DS only for DO queries to a signed zone") {
  QueryProcessor p(ProcessorOptions{});
  const auto do_query = testing::query_wire("www.deleg.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 1232, true);
  ldns_pkt* pkt = parse(run(p, do_query));
  CHECK(ldns_pkt_nscount(pkt) == 2);  // unsigned zone: NS only, as Knot
  ldns_pkt_free(pkt);

  auto lines = testing::example_zone_lines();
  lines.push_back(
      "@ 3600 IN DNSKEY 257 3 8 "
      "AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/"
      "RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/"
      "Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQd"
      "XfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0=");
  std::vector<Zone::ConstPtr> list{testing::zone_from_text("example.com.", lines)};
  zones = std::make_shared<const ZoneSet>(std::move(list));
  pkt = parse(run(p, do_query));
  CHECK(ldns_pkt_nscount(pkt) == 3);
  CHECK(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_authority(pkt), 2)) == LDNS_RR_TYPE_DS);
  CHECK(ldns_pkt_arcount(pkt) == 1);  // glue (ldns takes the OPT out of the count)
  ldns_pkt_free(pkt);
  pkt = parse(run(p, testing::query_wire("www.deleg.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 1232, false)));
  CHECK(ldns_pkt_nscount(pkt) == 2);
  ldns_pkt_free(pkt);
}

namespace {

// A DynamicAnswerSource for the test: answers for gslb.example.com., records
// the arguments it was called with.
class TestSource final : public DynamicAnswerSource {
 public:
  mutable std::string last_key;
  mutable std::uint16_t last_type = 0;
  mutable ClientInfo last_client;
  DynamicAnswer::Kind kind = DynamicAnswer::Kind::answer;

  bool answer(std::string_view qname_key, std::uint16_t qtype, const ClientInfo& client,
              DynamicAnswer& a) const override {
    last_key = std::string(qname_key);
    last_type = qtype;
    last_client = client;
    if (qname_key != std::string_view("\x04gslb\x07"
                                      "example\x03"
                                      "com\x00",
                                      18))
      return false;
    a.reset();
    a.kind = kind;
    a.ttl = 30;
    a.scope_prefix = 20;
    std::array<std::uint8_t, 16> addr{};
    addr[0] = 203;
    addr[1] = 0;
    addr[2] = 113;
    addr[3] = 7;
    a.addresses.push_back(addr);
    addr[3] = 8;
    a.addresses.push_back(addr);
    return true;
  }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "dynamic answers: A records, ECS scope, nodata, servfail, decline") {
  TestSource source;
  QueryProcessor p(ProcessorOptions{}, &source);
  const std::string gslb = std::string(
      "\x04GSLB\x07"
      "example\x03"
      "com\x00",
      18);
  auto q = raw_query(gslb, 1);
  add_opt(q, 1232, 0, ecs_option(1, 24, 0, {198, 51, 100}));
  auto r = run(p, q);
  CHECK(source.last_key == std::string("\x04gslb\x07"
                                       "example\x03"
                                       "com\x00",
                                       18));
  CHECK(source.last_type == 1);
  CHECK(source.last_client.has_ecs);
  CHECK(source.last_client.ecs_source_prefix == 24);
  ldns_pkt* pkt = parse(r);
  CHECK(testing::section_text(ldns_pkt_answer(pkt)) ==
        std::vector<std::string>{"GSLB.example.com. 30 IN A 203.0.113.7", "GSLB.example.com. 30 IN A 203.0.113.8"});
  CHECK(ldns_pkt_aa(pkt));
  ldns_pkt_free(pkt);
  const Bytes scope_echo = {0, 8, 0, 7, 0, 1, 24, 20, 198, 51, 100};
  CHECK(Bytes(out.begin() + static_cast<long>(r.size - scope_echo.size()), out.begin() + static_cast<long>(r.size)) ==
        scope_echo);

  source.kind = DynamicAnswer::Kind::nodata;
  pkt = parse(run(p, raw_query(gslb, 1)));
  CHECK(ldns_pkt_ancount(pkt) == 0);
  CHECK(testing::section_text(ldns_pkt_authority(pkt)).size() == 1);
  CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR);
  ldns_pkt_free(pkt);

  source.kind = DynamicAnswer::Kind::servfail;
  CHECK(rcode(run(p, raw_query(gslb, 1))) == rcode::servfail);

  // Declined: static data answers.
  pkt = parse(run(p, raw_query(www, 1)));
  CHECK(ldns_pkt_ancount(pkt) == 2);
  ldns_pkt_free(pkt);
}

}  // namespace gslb::dns

namespace gslb::dns {

TEST_CASE("AddressList: fixed capacity of 8, in order, compared by content") {
  AddressList list;
  CHECK(list.empty());
  AddressList::Rdata rdata{};
  for (std::uint8_t i = 0; i < AddressList::kCapacity; ++i) {
    rdata[3] = i;
    CHECK(list.push_back(rdata));
  }
  rdata[3] = 99;
  CHECK_FALSE(list.push_back(rdata));  // full: refused, nothing overwritten
  REQUIRE(list.size() == AddressList::kCapacity);
  for (std::size_t i = 0; i < list.size(); ++i) CHECK(list[i][3] == i);
  AddressList copy = list;
  CHECK(copy == list);
  copy.clear();
  CHECK(copy.empty());
  CHECK_FALSE(copy == list);
  DynamicAnswer answer;
  answer.addresses = list;
  answer.ttl = 7;
  answer.scope_prefix = 24;
  answer.kind = DynamicAnswer::Kind::servfail;
  answer.reset();  // a reused buffer starts clean
  CHECK(answer.addresses.empty());
  CHECK(answer.ttl == 0);
  CHECK(answer.scope_prefix == 0);
  CHECK(answer.kind == DynamicAnswer::Kind::answer);
}

}  // namespace gslb::dns
