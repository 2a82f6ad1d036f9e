#include "regional-lb/sticky.hpp"

#include "base/siphash.hpp"

namespace gslb::lb {

std::string sticky_id(const Endpoint& address) {
  // A fixed key: the id must be the same in every process. It hides nothing
  // from someone who can guess addresses, and is not meant to.
  static constexpr base::SipKey key{0x6773'6c62'5f73'7469ULL, 0x636b'795f'6964'3031ULL};
  const std::uint64_t h = base::siphash24(key, address.text);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 0; i < 16; ++i) out[static_cast<std::size_t>(i)] = digits[(h >> (60 - 4 * i)) & 0xf];
  return out;
}

std::optional<std::uint32_t> sticky_member(const PoolView& view, std::string_view value) {
  if (value.size() != 16) return std::nullopt;
  const auto& members = view.members();
  for (std::uint32_t i = 0; i < members.size(); ++i) {
    if (members[i].sticky_id == value) {
      if (members[i].state == MemberState::up && members[i].effective_weight > 0) return i;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string sticky_set_cookie(const StickyConfig& config, std::string_view id) {
  std::string out = config.cookie + "=" + std::string(id) + "; Path=/; HttpOnly";
  if (config.ttl.count() > 0) {
    out += "; Max-Age=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(config.ttl).count());
  }
  return out;
}

}  // namespace gslb::lb
