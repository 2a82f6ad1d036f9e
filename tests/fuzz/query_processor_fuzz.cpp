// Fuzz target: any bytes through QueryProcessor::process, over UDP and TCP,
// against a zone with every kind of node (tests/zones in dns/test_zones.hpp).
// Asserts what must hold for every input: no crash or out-of-bounds access
// (sanitizers), a response never larger than the transport allows, the ID
// echoed, QR set, and a response ldns can parse back. Transfers are allowed
// to the fuzzing client, so the IXFR and AXFR paths are reached too.
#include <cstdlib>
#include <vector>

#include "dns/query_processor.hpp"
#include "dns/test_zones.hpp"

namespace {

using namespace gslb::dns;

ProcessorOptions options() {
  ProcessorOptions o;
  o.transfer_allow = {*gslb::base::AddressPrefix::parse("127.0.0.0/8")};  // IXFR/AXFR paths reachable
  return o;
}

struct State {
  ZoneSet::ConstPtr zones = testing::example_zone_set();
  QueryProcessor processor{options()};
  sockaddr_storage client = gslb::base::SocketAddress::parse("127.0.0.1:5300")->storage();
};

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static State state;
  for (const Transport t : {Transport::udp, Transport::tcp}) {
    // Sized exactly, so that any write past the limit is an ASan report.
    std::vector<std::uint8_t> out(t == Transport::udp ? 4096 : 65535);
    QueryContext ctx;
    ctx.transport = t;
    ctx.client.source = state.client;
    const Processed p = state.processor.process({data, size}, out, ctx, *state.zones);
    if (p.result != ProcessResult::respond) continue;
    (void)state.processor.rate_key({out.data(), p.size});  // what rate limiting reads of every reply
    check(p.size >= 12 && p.size <= (t == Transport::udp ? 1232 : 65535));
    check(out[0] == data[0] && out[1] == data[1]);
    check((out[2] & 0x80) != 0);
    ldns_pkt* pkt = nullptr;
    check(ldns_wire2pkt(&pkt, out.data(), p.size) == LDNS_STATUS_OK);
    ldns_pkt_free(pkt);
  }
  return 0;
}
