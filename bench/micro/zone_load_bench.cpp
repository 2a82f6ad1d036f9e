// zone_load_bench [--vector] FILE.zone: times the zone loader's phases on one
// file and reports records/s and memory after each phase and at the peak.
// Default: as load_zone_file does it — records stream from the parser into a
// checking ZoneBuilder (phase "parse" includes adding), then the semantic
// checks over the builder's compact form, then the index. --vector: the
// older way — parse into a std::vector<Record>, check_zone over it,
// Zone::build — for comparison.
//
//   python3 bench/tools/genzone.py 1000000 > /tmp/example.com.zone
//   build/bench/micro/zone_load_bench /tmp/example.com.zone
//
// CPU time is reported beside wall time because the benchmark machine is
// shared: CPU time is the figure to compare across runs; compare wall time
// only side by side with a reference server in the same run (bench/dns/run.sh
// --bigzone does that for Knot and NSD).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "dns/zone.hpp"
#include "dns/zone_builder.hpp"
#include "dns/zone_checks.hpp"
#include "dns/zone_parser.hpp"

namespace {

long status_kb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(f, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stol(line.substr(prefix.size()));
  }
  return 0;
}

struct Clock {
  double cpu() const {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  }
  double wall() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
};

void phase(const char* name, double cpu, double wall, std::size_t records) {
  std::printf("%-7s cpu %.3f s  wall %.3f s  %6.2f M records/s (cpu)  rss %ld MB\n", name, cpu, wall,
              static_cast<double>(records) / cpu / 1e6, status_kb("VmRSS") / 1024);
}

class BuilderSink final : public gslb::dns::RecordSink {
 public:
  void begin(const std::optional<gslb::dns::Name>& origin, std::size_t lines) override {
    if (!origin) return;
    builder.emplace(*origin, lines);
    builder->enable_checks(file);
  }
  void take(gslb::dns::Record&& record) override {
    ++records;
    if (builder) builder->add(record, *diags);
  }
  std::string file;
  gslb::base::DiagnosticList* diags = nullptr;
  std::optional<gslb::dns::ZoneBuilder> builder;
  std::size_t records = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const bool vector = argc == 3 && std::string(argv[1]) == "--vector";
  if ((argc != 2 && !vector) || std::string(argv[1]) == "--help") {
    std::fprintf(stderr, "usage: zone_load_bench [--vector] FILE.zone   (origin from $ORIGIN or the file name)\n");
    return 2;
  }
  const std::filesystem::path file(argv[argc - 1]);
  gslb::base::DiagnosticList diags;
  gslb::dns::ZoneParseOptions options;
  options.include_root = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  options.origin = gslb::dns::origin_from_file_name(file);
  const Clock clock;

  if (!vector) {
    BuilderSink sink;
    sink.file = file.string();
    sink.diags = &diags;
    double c0 = clock.cpu(), w0 = clock.wall();
    gslb::dns::parse_zone_file(file, options, diags, sink);
    double c1 = clock.cpu(), w1 = clock.wall();
    const std::size_t n = sink.records;
    phase("parse", c1 - c0, w1 - w0, n);
    if (!sink.builder) {
      std::fprintf(stderr, "no origin\n");
      return 1;
    }
    sink.builder->check(diags);
    double c2 = clock.cpu(), w2 = clock.wall();
    phase("checks", c2 - c1, w2 - w1, n);
    auto zone = sink.builder->finish(diags);
    double c3 = clock.cpu(), w3 = clock.wall();
    phase("build", c3 - c2, w3 - w2, n);
    phase("total", c3 - c0, w3 - w0, n);
    std::printf("records %zu, diagnostics %zu (%zu errors), zone %s, peak rss %ld MB\n", n, diags.items().size(),
                diags.error_count(), zone ? "built" : "NOT built", status_kb("VmHWM") / 1024);
    return zone ? 0 : 1;
  }

  double c0 = clock.cpu(), w0 = clock.wall();
  auto parsed = gslb::dns::parse_zone_file(file, options, diags);
  double c1 = clock.cpu(), w1 = clock.wall();
  const std::size_t n = parsed.records.size();
  phase("parse", c1 - c0, w1 - w0, n);
  if (!parsed.origin) {
    std::fprintf(stderr, "no origin\n");
    return 1;
  }
  gslb::dns::check_zone(*parsed.origin, parsed.records, file.string(), diags);
  double c2 = clock.cpu(), w2 = clock.wall();
  phase("checks", c2 - c1, w2 - w1, n);
  auto zone = gslb::dns::Zone::build(*parsed.origin, std::move(parsed.records), diags);
  double c3 = clock.cpu(), w3 = clock.wall();
  phase("build", c3 - c2, w3 - w2, n);
  phase("total", c3 - c0, w3 - w0, n);
  std::printf("records %zu, diagnostics %zu (%zu errors), zone %s, peak rss %ld MB\n", n, diags.items().size(),
              diags.error_count(), zone ? "built" : "NOT built", status_kb("VmHWM") / 1024);
  return zone ? 0 : 1;
}
