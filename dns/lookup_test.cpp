// Table-driven answers over wire: each row is a query through QueryProcessor,
// its response parsed back by ldns and compared section by section.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dns/query_processor.hpp"
#include "dns/test_zones.hpp"

namespace gslb::dns {
namespace {

using Lines = std::vector<std::string>;

struct Row {
  const char* qname;
  ldns_rr_type qtype;
  ldns_pkt_rcode rcode;
  bool aa;
  Lines answer;
  Lines authority;
  Lines additional;
};

const std::string soa =
    "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300";
const std::string www_a1 = "www.example.com. 300 IN A 192.0.2.10";
const std::string www_a2 = "www.example.com. 300 IN A 192.0.2.11";
const Lines deleg_ns = {"deleg.example.com. 3600 IN NS ns.deleg.example.com.",
                        "deleg.example.com. 3600 IN NS ns.other.net."};
const Lines deleg_glue = {"ns.deleg.example.com. 3600 IN A 192.0.2.50"};

const std::vector<Row> rows = {
    {"www.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true, {www_a1, www_a2}, {}, {}},
    {"www.example.com.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, true, {}, {soa}, {}},
    {"b.c.example.com.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true, {}, {soa}, {}},  // ENT
    {"c.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true, {}, {soa}, {}},      // ENT
    {"a.b.c.example.com.",
     LDNS_RR_TYPE_TXT,
     LDNS_RCODE_NOERROR,
     true,
     {"a.b.c.example.com. 3600 IN TXT \"deep\""},
     {},
     {}},
    {"nope.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, true, {}, {soa}, {}},
    {"x.b.c.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, true, {}, {soa}, {}},
    {"alias.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"alias.example.com. 600 IN CNAME www.example.com.", www_a1, www_a2},
     {},
     {}},
    {"alias.example.com.",
     LDNS_RR_TYPE_CNAME,
     LDNS_RCODE_NOERROR,
     true,
     {"alias.example.com. 600 IN CNAME www.example.com."},
     {},
     {}},
    {"chain1.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"chain1.example.com. 600 IN CNAME chain2.example.com.", "chain2.example.com. 600 IN CNAME www.example.com.",
      www_a1, www_a2},
     {},
     {}},
    {"ext.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"ext.example.com. 600 IN CNAME www.other.net."},
     {},
     {}},
    {"loop1.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"loop1.example.com. 600 IN CNAME loop2.example.com.", "loop2.example.com. 600 IN CNAME loop1.example.com."},
     {},
     {}},
    {"dangling.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NXDOMAIN,
     true,
     {"dangling.example.com. 600 IN CNAME nothere.example.com."},
     {soa},
     {}},
    {"x.wild.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"x.wild.example.com. 120 IN A 192.0.2.40"},
     {},
     {}},
    {"deep.x.wild.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"deep.x.wild.example.com. 120 IN A 192.0.2.40"},
     {},
     {}},
    {"x.wild.example.com.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, true, {}, {soa}, {}},
    {"sub.wild.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"sub.wild.example.com. 120 IN A 192.0.2.41"},
     {},
     {}},
    // RFC 4592 §2.2.1: sub.wild exists, so no synthesis below it.
    {"x.sub.wild.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, true, {}, {soa}, {}},
    {"wild.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true, {}, {soa}, {}},  // ENT parent of the wildcard
    {"y.wc.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"y.wc.example.com. 120 IN CNAME www.example.com.", www_a1, www_a2},
     {},
     {}},
    {"www.deleg.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, false, {}, deleg_ns, deleg_glue},
    {"deleg.example.com.", LDNS_RR_TYPE_NS, LDNS_RCODE_NOERROR, false, {}, deleg_ns, deleg_glue},
    {"hidden.deleg.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, false, {}, deleg_ns, deleg_glue},  // occluded
    {"ns.deleg.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, false, {}, deleg_ns, deleg_glue},
    {"deleg.example.com.",
     LDNS_RR_TYPE_DS,
     LDNS_RCODE_NOERROR,
     true,
     {"deleg.example.com. 3600 IN DS 12345 8 2 49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de4d2b4b1e0a7b8a2b5c3d4e5f"},
     {},
     {}},
    {"unsigned.example.com.", LDNS_RR_TYPE_DS, LDNS_RCODE_NOERROR, true, {}, {soa}, {}},
    {"x.unsigned.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     false,
     {},
     {"unsigned.example.com. 3600 IN NS ns1.example.com."},
     {"ns1.example.com. 3600 IN A 192.0.2.1", "ns1.example.com. 3600 IN AAAA 2001:db8::1"}},
    {"example.com.",
     LDNS_RR_TYPE_MX,
     LDNS_RCODE_NOERROR,
     true,
     {"example.com. 3600 IN MX 10 mail.example.com.", "example.com. 3600 IN MX 20 mx.other.net."},
     {},
     {"mail.example.com. 3600 IN A 192.0.2.20"}},
    {"_sip._tcp.example.com.",
     LDNS_RR_TYPE_SRV,
     LDNS_RCODE_NOERROR,
     true,
     {"_sip._tcp.example.com. 3600 IN SRV 0 5 5060 sip.example.com."},
     {},
     {"sip.example.com. 3600 IN A 192.0.2.30"}},
    {"example.com.",
     LDNS_RR_TYPE_NS,
     LDNS_RCODE_NOERROR,
     true,
     {"example.com. 3600 IN NS ns1.example.com.", "example.com. 3600 IN NS ns2.other.net."},
     {},
     {"ns1.example.com. 3600 IN A 192.0.2.1", "ns1.example.com. 3600 IN AAAA 2001:db8::1"}},
    {"WwW.ExAmPlE.cOm.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"WwW.ExAmPlE.cOm. 300 IN A 192.0.2.10", "WwW.ExAmPlE.cOm. 300 IN A 192.0.2.11"},
     {},
     {}},
    {"www.example.org.", LDNS_RR_TYPE_A, LDNS_RCODE_REFUSED, false, {}, {}, {}},
    {"com.", LDNS_RR_TYPE_A, LDNS_RCODE_REFUSED, false, {}, {}, {}},
    // Longest zone match: the child zone answers for its names.
    {"host.child.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"host.child.example.com. 60 IN A 198.51.100.1"},
     {},
     {}},
    {"nope.child.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NXDOMAIN,
     true,
     {},
     // RFC 2308 §3: TTL = min(SOA TTL 60, MINIMUM 300).
     {"child.example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. 7 7200 3600 1209600 300"},
     {}},
    {"child.example.com.",
     LDNS_RR_TYPE_SOA,
     LDNS_RCODE_NOERROR,
     true,
     {"child.example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. 7 7200 3600 1209600 300"},
     {},
     {}},
    // RFC 4035 §3.1.4.1: DS at the child apex comes from the parent zone.
    {"child.example.com.",
     LDNS_RR_TYPE_DS,
     LDNS_RCODE_NOERROR,
     true,
     {"child.example.com. 3600 IN DS 1 8 2 49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de4d2b4b1e0a7b8a2b5c3d4e5f"},
     {},
     {}},
    // RFC 6672: the DNAME and a CNAME synthesized with its TTL; followed in zone.
    {"a.redir.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"redir.example.com. 900 IN DNAME www.other.net.", "a.redir.example.com. 900 IN CNAME a.www.other.net."},
     {},
     {}},
    {"x.y.here.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_NOERROR,
     true,
     {"here.example.com. 900 IN DNAME wild.example.com.", "x.y.here.example.com. 900 IN CNAME x.y.wild.example.com.",
      "x.y.wild.example.com. 120 IN A 192.0.2.40"},
     {},
     {}},
    {"here.example.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, true, {}, {soa}, {}},  // the owner is not redirected
    {"here.example.com.",
     LDNS_RR_TYPE_DNAME,
     LDNS_RCODE_NOERROR,
     true,
     {"here.example.com. 900 IN DNAME wild.example.com."},
     {},
     {}},
    // RFC 6672 §2.2: 61 + 209 octets > 255: YXDOMAIN with the DNAME alone.
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.long.example.com.",
     LDNS_RR_TYPE_A,
     LDNS_RCODE_YXDOMAIN,
     true,
     {"long.example.com. 900 IN DNAME "
      "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll."
      "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll."
      "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll.other.net."},
     {},
     {}},
};

}  // namespace

TEST_CASE("lookup answers per RFC 1034 4.3.2, RFC 2308 and RFC 4592") {
  const auto zones = testing::example_zone_set();
  QueryProcessor processor(ProcessorOptions{});
  std::vector<std::uint8_t> out(65535);
  for (const Row& row : rows) {
    CAPTURE(row.qname);
    CAPTURE(row.qtype);
    const auto query = testing::query_wire(row.qname, row.qtype);
    QueryContext ctx;
    const Processed p = processor.process(query, out, ctx, *zones);
    REQUIRE(p.result == ProcessResult::respond);
    ldns_pkt* pkt = nullptr;
    REQUIRE(ldns_wire2pkt(&pkt, out.data(), p.size) == LDNS_STATUS_OK);
    CHECK(ldns_pkt_get_rcode(pkt) == row.rcode);
    CHECK(ldns_pkt_aa(pkt) == row.aa);
    CHECK(ldns_pkt_qr(pkt));
    CHECK(ldns_pkt_rd(pkt));  // copied
    CHECK_FALSE(ldns_pkt_ra(pkt));
    CHECK_FALSE(ldns_pkt_tc(pkt));
    CHECK(ldns_pkt_id(pkt) == 4242);
    CHECK(testing::section_text(ldns_pkt_answer(pkt)) == row.answer);
    CHECK(testing::section_text(ldns_pkt_authority(pkt)) == row.authority);
    CHECK(testing::section_text(ldns_pkt_additional(pkt)) == row.additional);
    // The question is echoed exactly, letter case included.
    CHECK(std::equal(query.begin() + 12, query.end(), out.begin() + 12));
    ldns_pkt_free(pkt);
  }
}

}  // namespace gslb::dns
