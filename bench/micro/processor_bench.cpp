// processor_bench: CPU time of QueryProcessor::process() per query, and the
// cost (time, resident memory) of building a large zone.
//
//   processor_bench [--queries N] [--names N]   time process() on a query mix
//   processor_bench --big N                     build an N-record zone from a vector, report time and RSS
//   processor_bench --big-streamed N            the same through ZoneBuilder::add, one Record at a time
//
// The query mix over a zone of --names hosts: 70% A for existing names (two
// with ECS, most with EDNS), 10% AAAA NODATA, 10% NXDOMAIN, 5% CNAME chains,
// 5% wildcard. Packets are prebuilt so only process() is timed.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "dns/query_processor.hpp"
#include "dns/testing_zone.hpp"
#include "dns/zone_builder.hpp"
#include "dns/zone_data.hpp"

using namespace gslb::dns;

namespace {

// CPU time of this process: the machine running the benchmark may be shared,
// and wall time would count the time other processes held the CPU.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// VmRSS (now) or VmHWM (peak) from /proc/self/status, in kB.
long status_kb(const char* field = "VmRSS:") {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(field);
  while (std::getline(status, line))
    if (line.compare(0, n, field) == 0) return std::strtol(line.c_str() + n, nullptr, 10);
  return -1;
}
long resident_kb() {
  return status_kb();
}

Record a_record(const std::string& owner, std::uint32_t address) {
  Record r;
  r.owner = *Name::parse(owner);
  r.type = 1;
  r.ttl = 300;
  r.rdata = {static_cast<std::uint8_t>(address >> 24), static_cast<std::uint8_t>(address >> 16),
             static_cast<std::uint8_t>(address >> 8), static_cast<std::uint8_t>(address)};
  return r;
}

std::vector<Record> zone_records(std::size_t names) {
  std::vector<Record> records;
  records.reserve(names + 16);
  const std::string origin = "example.com.";
  records.push_back(testing::record_from_text("@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300", origin));
  records.push_back(testing::record_from_text("@ 3600 IN NS ns1", origin));
  records.push_back(testing::record_from_text("ns1 3600 IN A 192.0.2.1", origin));
  records.push_back(testing::record_from_text("alias 300 IN CNAME host1", origin));
  records.push_back(testing::record_from_text("*.wild 300 IN A 192.0.2.2", origin));
  for (std::size_t i = 0; i < names; ++i)
    records.push_back(
        a_record("host" + std::to_string(i) + ".example.com.", 0x0a000000u + static_cast<std::uint32_t>(i)));
  return records;
}

int big_zone(std::size_t n) {
  const long before = resident_kb();
  std::vector<Record> records = zone_records(n);
  const long with_records = resident_kb();
  gslb::base::DiagnosticList diags;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  auto zone = Zone::build(*Name::parse("example.com."), std::move(records), diags);
  const double cpu = cpu_seconds() - cpu_start;
  const auto elapsed = std::chrono::steady_clock::now() - start;
  if (!zone) {
    diags.print(std::cerr);
    return 1;
  }
  std::printf(
      "records: %zu\nbuild: %.3f s wall, %.3f s CPU\nRSS before: %ld kB, with Records: %ld kB, after build: %ld kB\n",
      zone->record_count(), std::chrono::duration<double>(elapsed).count(), cpu, before, with_records, resident_kb());
  std::printf("peak RSS: %ld kB\n", status_kb("VmHWM:"));
  std::printf("index bytes: %zu (%.1f per record)\n", static_cast<const ZoneData&>(*zone).memory_bytes(),
              static_cast<double>(static_cast<const ZoneData&>(*zone).memory_bytes()) / static_cast<double>(n));
  return 0;
}

// As a loader that hands records to ZoneBuilder as it parses them: only one
// Record exists at a time.
int big_zone_streamed(std::size_t n) {
  gslb::base::DiagnosticList diags;
  const double cpu_start = cpu_seconds();
  ZoneBuilder builder(*Name::parse("example.com."), n + 8);
  for (Record& r : zone_records(0)) builder.add(r, diags);
  for (std::size_t i = 0; i < n; ++i)
    builder.add(a_record("host" + std::to_string(i) + ".example.com.", 0x0a000000u + static_cast<std::uint32_t>(i)),
                diags);
  auto zone = builder.finish(diags);
  const double cpu = cpu_seconds() - cpu_start;
  if (!zone) {
    diags.print(std::cerr);
    return 1;
  }
  std::printf("records: %zu\nmake records + build: %.3f s CPU\nRSS after build: %ld kB, peak RSS: %ld kB\n",
              zone->record_count(), cpu, resident_kb(), status_kb("VmHWM:"));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t queries = 2'000'000;
  std::size_t names = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--big") == 0) return big_zone(std::strtoull(argv[i + 1], nullptr, 10));
    if (std::strcmp(argv[i], "--big-streamed") == 0) return big_zone_streamed(std::strtoull(argv[i + 1], nullptr, 10));
    if (std::strcmp(argv[i], "--queries") == 0) queries = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--names") == 0) names = std::strtoull(argv[i + 1], nullptr, 10);
  }
  gslb::base::DiagnosticList diags;
  std::vector<Zone::ConstPtr> list{Zone::build(*Name::parse("example.com."), zone_records(names), diags)};
  const ZoneSet zones(std::move(list));

  std::mt19937 rng(12345);
  std::vector<std::vector<std::uint8_t>> packets;
  for (int i = 0; i < 4096; ++i) {
    const unsigned pick = rng() % 100;
    const std::string host = "host" + std::to_string(rng() % names) + ".example.com.";
    const int edns = (rng() % 10) < 8 ? 1232 : -1;
    if (pick < 70) {
      packets.push_back(testing::query_wire(host, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, edns));
    } else if (pick < 80) {
      packets.push_back(testing::query_wire(host, LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, edns));
    } else if (pick < 90) {
      packets.push_back(testing::query_wire("nx" + host, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, edns));
    } else if (pick < 95) {
      packets.push_back(testing::query_wire("alias.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, edns));
    } else {
      packets.push_back(
          testing::query_wire("x" + std::to_string(i) + ".wild.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, edns));
    }
  }
  QueryProcessor processor(ProcessorOptions{});
  std::vector<std::uint8_t> out(65535);
  QueryContext ctx;
  std::size_t bytes = 0;
  for (const auto& p : packets) bytes += processor.process(p, out, ctx, zones).size;  // warm up
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  for (std::size_t i = 0; i < queries; ++i) {
    bytes += processor.process(packets[i & 4095], out, ctx, zones).size;
  }
  const double cpu = cpu_seconds() - cpu_start;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "zone names: %zu, queries: %zu, %.1f ns/query CPU (%.1f wall), %.2f M queries/s per core, %zu bytes out\n", names,
      queries, cpu * 1e9 / static_cast<double>(queries), seconds * 1e9 / static_cast<double>(queries),
      static_cast<double>(queries) / cpu / 1e6, bytes);
  return 0;
}
