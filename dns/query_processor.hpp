// QueryProcessor: the pure core of the server, bytes in → bytes out. No I/O,
// no locks, no allocation in steady state; one instance per worker thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/net_util.hpp"
#include "dns/dynamic_answer.hpp"
#include "dns/rate_limiter.hpp"
#include "dns/zone_set.hpp"

namespace gslb::dns {

struct ProcessorOptions {
  std::uint16_t edns_udp_size = 1232;  // our advertised EDNS payload size (DNS flag day 2020)
  bool answer_chaos = true;            // answer version.bind/id.server (CH TXT) or REFUSE
  std::string chaos_version = "gslb";
  std::string chaos_identity;  // id.server / hostname.bind; empty = hostname
  // Clients that may transfer zones, AXFR or IXFR (RFC 5936 §4.2); the rest
  // get REFUSED. Empty: nobody.
  std::vector<base::AddressPrefix> transfer_allow;
};

enum class Transport { udp, tcp };

struct QueryContext {
  Transport transport = Transport::udp;
  ClientInfo client;  // source filled by the server; ECS filled by the processor
};

enum class ProcessResult {
  respond,  // `out` holds a response of the returned size
  drop,     // send nothing (unparseable header, a response packet, ...)
  axfr,     // a zone transfer was asked for over TCP: the server streams it
};

struct Processed {
  ProcessResult result = ProcessResult::drop;
  std::size_t size = 0;
  const Zone* zone = nullptr;  // for axfr: the zone to transfer
};

class QueryProcessor {
 public:
  QueryProcessor(ProcessorOptions options, const DynamicAnswerSource* dynamic = nullptr);
  ~QueryProcessor();
  QueryProcessor(const QueryProcessor&) = delete;
  QueryProcessor& operator=(const QueryProcessor&) = delete;

  // `out` must be at least 65535 bytes for TCP; for UDP the processor limits
  // the response to the client's advertised size (512 without EDNS) and sets
  // TC when the answer does not fit.
  Processed process(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, QueryContext& ctx,
                    const ZoneSet& zones);

  // For response rate limiting: what the response process() just wrote
  // (`response`, of the size it returned) is about. Call right after it.
  RateKey rate_key(std::span<const std::uint8_t> response) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gslb::dns
