// parse_query against ldns_wire2pkt on the same packets: the committed fuzz
// seeds (real queries from dnspython) and random mutations of them.
#include "dns/wire_query.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "dns/testing_zone.hpp"

namespace gslb::dns {
namespace {

std::vector<std::vector<std::uint8_t>> seed_packets() {
  std::vector<std::vector<std::uint8_t>> out;
  const std::filesystem::path dir = std::filesystem::path(GSLB_SOURCE_DIR) / "tests/fuzz/corpus/query_processor";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    // Only the named seeds (real queries); the 40-hex-digit names are
    // fuzzer-found inputs that need not be valid DNS.
    if (entry.path().filename().string().size() >= 40) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

// Our view must equal ldns' view of the same packet.
void check_agrees(const std::vector<std::uint8_t>& packet, const WireQuery& q) {
  ldns_pkt* pkt = nullptr;
  REQUIRE(ldns_wire2pkt(&pkt, packet.data(), packet.size()) == LDNS_STATUS_OK);
  CHECK(ldns_pkt_id(pkt) == q.id);
  REQUIRE(ldns_pkt_qdcount(pkt) == 1);
  const ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
  const ldns_rdf* owner = ldns_rr_owner(question);
  REQUIRE(ldns_rdf_size(owner) == q.qname_length);
  for (std::size_t i = 0; i < q.qname_length; ++i) CHECK(q.qname_lower[i] == dns_tolower(ldns_rdf_data(owner)[i]));
  CHECK(ldns_rr_get_type(question) == q.qtype);
  CHECK(ldns_rr_get_class(question) == q.qclass);
  CHECK(ldns_pkt_edns(pkt) == q.edns.present);
  if (q.edns.present) {
    CHECK(ldns_pkt_edns_udp_size(pkt) == q.edns.udp_size);
    CHECK(ldns_pkt_edns_do(pkt) == q.edns.dnssec_ok);
    CHECK(ldns_pkt_edns_version(pkt) == q.edns.version);
  }
  ldns_pkt_free(pkt);
}

}  // namespace

TEST_CASE("parse_query agrees with ldns on real query packets") {
  const auto seeds = seed_packets();
  REQUIRE(seeds.size() >= 10);
  std::size_t parsed = 0;
  for (const auto& packet : seeds) {
    WireQuery q;
    if (parse_query(packet, q) != WireStatus::ok) continue;
    ++parsed;
    check_agrees(packet, q);
  }
  CHECK(parsed >= 15);
}

TEST_CASE("ECS in a dnspython query is read") {
  const auto packet = [] {
    std::ifstream in(std::filesystem::path(GSLB_SOURCE_DIR) / "tests/fuzz/corpus/query_processor/ecs4",
                     std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }();
  WireQuery q;
  REQUIRE(parse_query(packet, q) == WireStatus::ok);
  CHECK(q.edns.has_client_subnet);
  CHECK(q.edns.client_subnet.family == 1);
  CHECK(q.edns.client_subnet.source_prefix == 24);
  CHECK(q.edns.client_subnet.address[0] == 198);
}

TEST_CASE("mutated packets: whatever parse_query accepts, ldns reads the same way") {
  const auto seeds = seed_packets();
  std::mt19937 rng(7);
  std::size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    auto packet = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !packet.empty(); ++e) {
      switch (rng() % 3) {
        case 0:
          packet[rng() % packet.size()] = static_cast<std::uint8_t>(rng());
          break;
        case 1:
          packet.resize(rng() % (packet.size() + 1));
          break;
        default:
          packet.push_back(static_cast<std::uint8_t>(rng()));
      }
    }
    WireQuery q;
    const WireStatus status = parse_query(packet, q);
    if (status != WireStatus::ok) continue;
    // ldns is stricter about some RDATA and trailing data; compare only
    // where it accepts the packet.
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, packet.data(), packet.size()) != LDNS_STATUS_OK) continue;
    ldns_pkt_free(pkt);
    ++accepted;
    check_agrees(packet, q);
  }
  CHECK(accepted > 1000);
}

}  // namespace gslb::dns
