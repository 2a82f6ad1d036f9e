// The steering step interface. A record's answer is computed by running its
// steps, in order, over a list of candidates (the pool's members of the
// asked-for family that passed the health filter). Every step refines the
// current order: candidates carry a `group`, and a step only reorders within
// runs of equal group, then renumbers groups so that later steps refine its
// result in turn ([geo, weighted]: nearest region first, then a weighted
// pick among that region's members). The pipeline then takes the first
// `answers` candidates.
//
// Steps are free functions over caller-owned scratch: no allocation, no
// string work, no virtual dispatch on the query path. Each reports whether
// its order depended on the client and over which prefix (ECS scope), and,
// when a Trace is given (explain), what it did.
//
// Thread context: any worker; everything read is immutable except the
// candidates span, the RNG and the trace, which belong to the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/siphash.hpp"
#include "geo/client_location.hpp"
#include "geo/distance.hpp"
#include "gslb/compiled_policy.hpp"

namespace gslb::policy {

struct Candidate {
  std::uint16_t member = 0;  // index into CompiledPolicy::members
  std::uint16_t region = 0;
  std::uint32_t group = 0;  // equal groups are still interchangeable
  double score = 0;         // the last step's key (explain shows it)
};

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, good enough to spread
// picks; not for secrets. One per worker thread; seeded for tests.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0x9e3779b97f4a7c15ULL) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is < n/2^64).
  std::uint32_t below(std::uint32_t n) noexcept {
    return static_cast<std::uint32_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  std::uint64_t state_;
};

// What is known about the client, computed once per query by the pipeline.
struct ClientContext {
  bool has_client = false;  // an address was usable at all
  geo::ClientLocation where;
  int override_region = -1;  // net override → region id
  bool has_point = false;
  geo::GeoPoint point;
};

struct StepContext {
  const CompiledPolicy& policy;
  const CompiledRecord& record;
  const ClientContext& client;
  Rng& rng;
  const base::SipKey& hash_key;
  std::span<geo::RankedSite> ranked;     // scratch, policy.region_names.size() elements
  std::span<std::uint16_t> region_rank;  // scratch, same size
  // How many leading positions must come out ordered: the record's answer
  // count for the last step (random steps then stop early), else all.
  std::size_t ordered = SIZE_MAX;
};

// A step's effect on the ECS scope: when `client_dependent`, the order it
// produced holds for every address within `scope` bits of the client's.
struct StepScope {
  bool client_dependent = false;
  std::uint8_t scope = 0;
};

// One line per step for `gslb explain`.
struct TraceStep {
  std::string name;
  std::string note;  // what the step keyed on ("geolocation key EU", "override region x")
  std::vector<Candidate> after;
};
struct Trace {
  std::vector<TraceStep> steps;
};

// Stable insertion sort of each run of equal group by key(c) (written into
// c.score), then renumbering groups by (old group, score). Insertion sort:
// pools are small (tens of members) and it needs no buffer.
template <class KeyFn>
void refine_groups(std::span<Candidate> c, KeyFn key) noexcept {
  std::size_t begin = 0;
  while (begin < c.size()) {
    std::size_t end = begin + 1;
    while (end < c.size() && c[end].group == c[begin].group) ++end;
    for (std::size_t i = begin; i < end; ++i) c[i].score = key(c[i]);
    for (std::size_t i = begin + 1; i < end; ++i) {
      Candidate x = c[i];
      std::size_t j = i;
      for (; j > begin && c[j - 1].score > x.score; --j) c[j] = c[j - 1];
      c[j] = x;
    }
    begin = end;
  }
  std::uint32_t next = 0, prev_group = 0;
  double prev_score = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (i > 0 && (c[i].group != prev_group || c[i].score != prev_score)) ++next;
    prev_group = c[i].group;
    prev_score = c[i].score;
    c[i].group = next;
  }
}

// The steps. Each returns the new candidate count (failover truncates) and
// fills `scope`.
std::size_t step_failover(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note);
std::size_t step_geo(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note);
std::size_t step_geolocation(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note);
std::size_t step_latency(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note);
std::size_t step_weighted(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note);
std::size_t step_hash(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note);
std::size_t step_all(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note);

const char* to_string(Steering s) noexcept;

}  // namespace gslb::policy
