#include "gslb/engine.hpp"

#include <algorithm>
#include <cstring>

#include "geo/client_location.hpp"
#include "gslb/explain.hpp"
#include "gslb/steering/pipeline.hpp"

namespace gslb::policy {

namespace {

constexpr std::uint16_t kTypeA = 1;      // RFC 1035 §3.2.2
constexpr std::uint16_t kTypeAAAA = 28;  // RFC 3596 §2.1

std::atomic<std::uint64_t> next_engine_id{1};

std::optional<geo::ClientAddress> client_address(const dns::ClientInfo& info) noexcept {
  return geo::choose_client_address(info.source, info.has_ecs, info.ecs_family, info.ecs_source_prefix,
                                    info.ecs_address);
}

}  // namespace

std::uint64_t owner_hash(std::string_view key) noexcept {
  // Word at a time with splitmix-style mixing; names are short (~20 bytes).
  std::uint64_t h = key.size() * 0x9e3779b97f4a7c15ULL;
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, key.data() + i, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
  }
  std::uint64_t tail = 0;
  for (; i < key.size(); ++i) tail = (tail << 8) | static_cast<unsigned char>(key[i]);
  h = (h ^ tail) * 0x94d049bb133111ebULL;
  return h ^ (h >> 29);
}

void EngineState::build_table() {
  lengths.reset();
  for (const Entry& e : index) lengths.set(e.key.size() < lengths.size() ? e.key.size() : 0);
  std::size_t size = 8;
  while (size < 2 * index.size()) size *= 2;
  table.assign(size, 0);
  for (std::size_t i = 0; i < index.size(); ++i) {
    index[i].hash = owner_hash(index[i].key);
    std::size_t slot = index[i].hash & (size - 1);
    while (table[slot] != 0) slot = (slot + 1) & (size - 1);
    table[slot] = static_cast<std::uint32_t>(i + 1);
  }
}

const EngineState::Entry* EngineState::find(std::string_view key) const noexcept {
  // Wire names are at most 255 octets (RFC 1035 §3.1); most static names
  // differ in length from every GSLB owner and stop here.
  if (table.empty() || key.size() >= lengths.size() || !lengths.test(key.size())) return nullptr;
  const std::uint64_t h = owner_hash(key);
  const std::size_t mask = table.size() - 1;
  // At most half full, so a run of occupied slots always ends at an empty one.
  for (std::size_t slot = h & mask; table[slot] != 0; slot = (slot + 1) & mask) {
    const Entry& e = index[table[slot] - 1];
    if (e.hash == h && e.key == key) return &e;
  }
  return nullptr;
}

std::vector<MemberHealth> index_health(const CompiledPolicy& policy, const health::HealthView* view,
                                       std::chrono::steady_clock::time_point now) {
  std::vector<MemberHealth> out(policy.members.size());
  if (view == nullptr) return out;
  for (std::size_t i = 0; i < policy.members.size(); ++i) {
    const health::TargetHealth* t = view->find(policy.members[i].id);
    if (t == nullptr) continue;
    out[i].serving = t->serving();
    const auto left = health::time_until_change(*t, now);
    if (left != std::chrono::milliseconds::max()) out[i].stable_until = now + left;
  }
  return out;
}

// Per worker thread, per engine: readers, RNG and scratch. Rebuilt when the
// thread starts answering for a different engine (tests make several).
struct Engine::Worker {
  std::uint64_t engine_id = 0;
  std::optional<base::Snapshot<EngineState>::Reader> state;
  std::optional<base::Snapshot<geo::GeoDb>::Reader> geo;
  Rng rng;
  PipelineScratch scratch;
  std::size_t shard = 0;  // of each RecordCounter
};

std::uint64_t RecordCounter::total() const noexcept {
  std::uint64_t sum = 0;
  for (const Shard& s : shards) sum += s.n.load(std::memory_order_relaxed);
  return sum;
}

std::map<std::string, std::uint64_t> Engine::answered_counts() const {
  std::lock_guard lock(counters_mutex_);
  std::map<std::string, std::uint64_t> out;
  for (const auto& [name, counter] : counters_) out.emplace(name, counter->total());
  return out;
}

Engine::Engine(const base::Snapshot<geo::GeoDb>* geo, Options options)
    : id_(next_engine_id.fetch_add(1)),
      geo_(geo),
      options_(options),
      hash_key_(options.hash_key ? *options.hash_key : base::random_sip_key()),
      state_(std::make_shared<const EngineState>()) {}

Engine::Worker& Engine::worker() const {
  thread_local Worker w;
  if (w.engine_id != id_) {
    w.engine_id = id_;
    w.state.emplace(state_);
    if (geo_ != nullptr)
      w.geo.emplace(*geo_);
    else
      w.geo.reset();
    const std::uint64_t n = workers_.fetch_add(1, std::memory_order_relaxed);
    // Distinct streams per thread; reproducible when seeded.
    const std::uint64_t seed = options_.rng_seed ? *options_.rng_seed : base::random_sip_key().k0;
    w.rng = Rng(seed + n * 0x632be59bd9b4e019ULL);
    w.shard = n % RecordCounter::kShards;
  }
  return w;
}

void Engine::publish(std::vector<CompiledPolicyPtr> policies, const health::HealthView* view,
                     std::chrono::steady_clock::time_point now) {
  auto next = std::make_shared<EngineState>();
  std::lock_guard lock(counters_mutex_);
  for (std::size_t p = 0; p < policies.size(); ++p) {
    next->health.push_back(index_health(*policies[p], view, now));
    for (std::size_t r = 0; r < policies[p]->records.size(); ++r) {
      const CompiledRecord& record = policies[p]->records[r];
      const std::string zone = policies[p]->zone.to_string();
      const std::string owner = record.name == "@" ? zone : record.name + "." + zone;
      auto& counter = counters_[owner];
      if (!counter) counter = std::make_unique<RecordCounter>();
      next->index.push_back({record.key, static_cast<std::uint16_t>(p), static_cast<std::uint16_t>(r), counter.get()});
    }
  }
  std::sort(next->index.begin(), next->index.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  next->build_table();
  next->policies = std::move(policies);
  const bool any = !next->index.empty();
  state_.publish(std::move(next));
  // After the state: a query that sees true finds the records' state.
  any_records_.store(any, std::memory_order_release);
}

std::optional<dns::DynamicAnswer> Engine::answer(std::string_view qname_key, std::uint16_t qtype,
                                                 const dns::ClientInfo& client) const {
  dns::DynamicAnswer out;
  if (!answer(qname_key, qtype, client, out)) return std::nullopt;
  return out;
}

bool Engine::answer(std::string_view qname_key, std::uint16_t qtype, const dns::ClientInfo& info,
                    dns::DynamicAnswer& out) const {
  // Other types at a GSLB name are left to static data (TXT, CAA beside it).
  if (qtype != kTypeA && qtype != kTypeAAAA) return false;
  if (!any_records_.load(std::memory_order_acquire)) return false;
  Worker& w = worker();
  const EngineState* state = w.state->get();
  const EngineState::Entry* entry = state->find(qname_key);
  if (entry == nullptr) return false;
  const CompiledPolicy& policy = *state->policies[entry->policy];
  const auto client = client_address(info);
  PipelineInput in{policy,
                   policy.records[entry->record],
                   qtype == kTypeA ? base::IpFamily::v4 : base::IpFamily::v6,
                   client ? &*client : nullptr,
                   w.geo ? w.geo->get() : nullptr,
                   state->health[entry->policy],
                   std::nullopt,  // the clock is read only if the TTL needs it
                   w.rng,
                   hash_key_};
  const PipelineOutcome result = run_pipeline(in, w.scratch, out);
  if (result.health.failed_open()) fail_open_.fetch_add(1, std::memory_order_relaxed);
  if (entry->answered != nullptr) entry->answered->shards[w.shard].n.fetch_add(1, std::memory_order_relaxed);
  return true;
}

std::string Engine::explain(std::string_view qname_key, std::uint16_t qtype, const dns::ClientInfo& info) const {
  const auto state = state_.load();
  const EngineState::Entry* entry = state->find(qname_key);
  if (entry == nullptr) return "not a GSLB name: static data answers\n";
  if (qtype != kTypeA && qtype != kTypeAAAA) return "only A and AAAA are steered: static data answers\n";
  const CompiledPolicy& policy = *state->policies[entry->policy];
  std::shared_ptr<const geo::GeoDb> db = geo_ ? geo_->load() : nullptr;
  const auto client = client_address(info);
  Rng rng(options_.rng_seed.value_or(1));
  PipelineInput in{policy,
                   policy.records[entry->record],
                   qtype == kTypeA ? base::IpFamily::v4 : base::IpFamily::v6,
                   client ? &*client : nullptr,
                   db.get(),
                   state->health[entry->policy],
                   std::chrono::steady_clock::now(),
                   rng,
                   hash_key_};
  PipelineScratch scratch;
  Trace trace;
  ClientContext where;
  PipelineResult result = run_pipeline(in, scratch, &trace, &where);
  return render_explain(in, result, trace, where);
}

}  // namespace gslb::policy
