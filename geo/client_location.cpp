#include "geo/client_location.hpp"

#include <algorithm>
#include <sstream>

#include "geo/geo_db.hpp"

namespace gslb::geo {

namespace {

// RFC 7871 §6 FAMILY values (IANA address family numbers).
constexpr std::uint16_t kEcsFamilyIpv4 = 1;
constexpr std::uint16_t kEcsFamilyIpv6 = 2;

std::optional<ClientAddress> from_ecs(std::uint16_t family, std::uint8_t source_prefix,
                                      const std::array<std::uint8_t, 16>& bytes) noexcept {
  if (family == kEcsFamilyIpv4 && source_prefix <= 32) {
    // The common case, done directly: host bits cleared with one mask (what
    // base::Prefix does below, at a fraction of the cost on the query path).
    const std::uint32_t v = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                            (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
    const std::uint32_t mask = source_prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - source_prefix);
    return ClientAddress{base::IpAddress::v4(v & mask), source_prefix, true};
  }
  if (family != kEcsFamilyIpv6 || source_prefix > 128) return std::nullopt;
  const base::IpAddress address = base::IpAddress::v6(bytes);
  // Prefix folds ::ffff:a.b.c.d/≥96 to IPv4 and clears host bits: §6 requires
  // them zero, but a sloppy resolver must not make us locate a host it hid.
  const base::Prefix prefix(address, source_prefix);
  return ClientAddress{prefix.address(), static_cast<std::uint8_t>(prefix.length()), true};
}

}  // namespace

std::optional<ClientAddress> choose_client_address(const sockaddr_storage& source, bool has_ecs,
                                                   std::uint16_t ecs_family, std::uint8_t ecs_source_prefix,
                                                   const std::array<std::uint8_t, 16>& ecs_address) noexcept {
  if (has_ecs) {
    if (ecs_source_prefix == 0 && (ecs_family == kEcsFamilyIpv4 || ecs_family == kEcsFamilyIpv6)) {
      // RFC 7871 §7.1.2: SOURCE PREFIX-LENGTH 0 means "do not use my
      // address"; the resolver's own address is what we have.
      const auto packet_source = base::IpAddress::from_sockaddr(source);
      if (!packet_source) return std::nullopt;
      return ClientAddress{*packet_source, 0, true};
    }
    if (auto ecs = from_ecs(ecs_family, ecs_source_prefix, ecs_address)) return ecs;
  }
  // Converted only here: most GSLB queries carry ECS and never need it.
  const auto packet_source = base::IpAddress::from_sockaddr(source);
  if (!packet_source) return std::nullopt;
  return ClientAddress{*packet_source, static_cast<std::uint8_t>(packet_source->bit_count()), false};
}

ClientLocation locate_client(const ClientAddress& client, const NetOverrides* overrides, const GeoDb* db) noexcept {
  ClientLocation out;
  out.client = client;
  const base::IpAddress& address = client.address;

  int scope = 0;
  NetOverrides::Match match;
  if (overrides != nullptr) match = overrides->lookup(address);
  if (match.target != nullptr) {
    out.override_target = match.target;
    out.override_length = match.matched_length;
    if (match.target->kind == OverrideTarget::Kind::location) out.geo = match.target->location;
    scope = match.scope_length;
  } else {
    scope = match.scope_length;  // 0 without overrides
    if (db != nullptr) {
      out.geo = db->lookup(address);
      scope = std::max<int>(scope, out.geo.prefix_length);
    }
  }
  out.scope_prefix = static_cast<std::uint8_t>(std::min<int>(scope, client.source_prefix));
  return out;
}

std::string to_string(const ClientLocation& location) {
  std::ostringstream out;
  const ClientAddress& c = location.client;
  out << c.address.to_string();
  if (c.source_prefix != c.address.bit_count()) out << '/' << int{c.source_prefix};
  out << (c.from_ecs ? " (ECS): " : " (source): ");
  if (location.override_target != nullptr) {
    out << "override " << base::Prefix(c.address, location.override_length).to_string() << " -> ";
    if (location.override_target->kind == OverrideTarget::Kind::region) {
      out << "region " << location.override_target->region;
    } else {
      out << "location";
    }
  }
  const GeoInfo& g = location.geo;
  if (location.override_target == nullptr || location.override_target->kind == OverrideTarget::Kind::location) {
    if (location.override_target != nullptr) out << ' ';
    if (!g.found) {
      out << "not in the database";
    } else {
      out << (g.continent.empty() ? "-" : g.continent.view()) << ' ' << (g.country.empty() ? "-" : g.country.view());
      if (!g.subdivision.empty()) out << '-' << g.subdivision.view();
      if (g.has_coordinates) {
        static constexpr const char* kSource[] = {"none", "database", "country centroid", "override"};
        out << ' ' << g.latitude << ',' << g.longitude << " (" << kSource[static_cast<int>(g.coordinate_source)] << ')';
      } else {
        out << " (no coordinates)";
      }
    }
  }
  out << "; scope /" << int{location.scope_prefix};
  return out.str();
}

}  // namespace gslb::geo
