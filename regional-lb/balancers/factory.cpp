#include <algorithm>
#include <array>
#include <cassert>

#include "regional-lb/balancer_factory.hpp"
#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb {
namespace {

struct Entry {
  std::string_view name;
  std::unique_ptr<Balancer> (*make)(std::uint64_t);
  std::shared_ptr<const PreparedTable> (*prepare)(const PoolView&);
};

constexpr std::array<Entry, 7> entries{{
    {"round_robin", balancers::make_round_robin, nullptr},
    {"weighted_round_robin", balancers::make_weighted_round_robin, nullptr},
    {"least_connections", balancers::make_least_connections, nullptr},
    {"ip_hash", balancers::make_ip_hash, nullptr},
    {"consistent_hash", balancers::make_consistent_hash, balancers::prepare_hash_ring},
    {"least_response_time", balancers::make_least_response_time, nullptr},
    {"random_two_choices", balancers::make_random_two_choices, nullptr},
}};

constexpr std::array<std::string_view, entries.size()> names = [] {
  std::array<std::string_view, entries.size()> out{};
  for (std::size_t i = 0; i < entries.size(); ++i) out[i] = entries[i].name;
  return out;
}();

const Entry* find(std::string_view name) {
  const auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.name == name; });
  return it == entries.end() ? nullptr : &*it;
}

}  // namespace

std::span<const std::string_view> balancer_names() {
  return names;
}

bool is_balancer_name(std::string_view name) {
  return find(name) != nullptr;
}

std::unique_ptr<Balancer> make_balancer(std::string_view name, std::uint64_t seed) {
  const Entry* e = find(name);
  assert(e && "balancer names are validated when the config loads");
  return e ? e->make(seed) : balancers::make_round_robin(seed);
}

std::shared_ptr<const PreparedTable> prepare_table(std::string_view name, const PoolView& view) {
  const Entry* e = find(name);
  return e && e->prepare ? e->prepare(view) : nullptr;
}

}  // namespace gslb::lb
