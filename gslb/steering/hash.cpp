// hash: a consistent member per client prefix by rendezvous (highest random
// weight) hashing (Thaler & Ravishankar 1998): each member scores
// mix(H(client prefix) ^ seed(member)) and the highest wins. Removing a
// member moves only the clients that member had; seeds come from member ids,
// so the choice survives reloads. H is SipHash under the engine's secret key
// so that nobody can aim many clients at one member (STYLE pitfall 14).
#include <algorithm>
#include <array>
#include <string_view>

#include "gslb/steering/step.hpp"

namespace gslb::policy {

namespace {

// The client prefix that keys the hash: a /24 of IPv4 or a /56 of IPv6 (a
// typical end-site allocation), or less when the ECS source is shorter.
constexpr int kHashPrefixV4 = 24;
constexpr int kHashPrefixV6 = 56;

std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
  z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
  return z ^ (z >> 33);
}

}  // namespace

std::size_t step_hash(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note) {
  std::uint64_t h = 0;
  if (ctx.client.has_client) {
    const base::IpAddress& a = ctx.client.where.client.address;
    const int length = std::min<int>(a.is_v4() ? kHashPrefixV4 : kHashPrefixV6, ctx.client.where.client.source_prefix);
    const base::IpAddress prefix = a.truncated(length);
    std::array<char, 18> input{};
    std::copy(prefix.raw().begin(), prefix.raw().end(), input.begin());
    input[16] = static_cast<char>(a.family());
    input[17] = static_cast<char>(length);
    h = base::siphash24(ctx.hash_key, std::string_view(input.data(), input.size()));
    scope = {true, static_cast<std::uint8_t>(length)};
    if (note) *note = "client prefix " + prefix.to_string() + "/" + std::to_string(length);
  } else {
    scope = {};
    if (note) *note = "no client address: fixed order";
  }
  const auto& members = ctx.policy.members;
  // Highest score first: key on the complement, top 53 bits so the double is exact.
  refine_groups(
      c, [&](const Candidate& x) { return static_cast<double>((~mix64(h ^ members[x.member].hash_seed)) >> 11); });
  return c.size();
}

}  // namespace gslb::policy
