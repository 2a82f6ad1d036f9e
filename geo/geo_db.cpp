#include "geo/geo_db.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>

#include "geo/country_centroids.hpp"

namespace gslb::geo {

namespace {

// A UTF-8 string field at `path`, or empty when absent, of another type or
// undecodable. MMDB strings are not NUL-terminated: use data_size.
std::string_view string_at(MMDB_entry_s entry, const char* const* path) noexcept {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS) return {};
  if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return {data.utf8_string, data.data_size};
}

// A numeric field at `path` (double, or float as some writers emit).
bool double_at(MMDB_entry_s entry, const char* const* path, double& out) noexcept {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) return false;
  if (data.type == MMDB_DATA_TYPE_DOUBLE) {
    out = data.double_value;
  } else if (data.type == MMDB_DATA_TYPE_FLOAT) {
    out = data.float_value;
  } else {
    return false;
  }
  return std::isfinite(out);
}

// True when the record decodes: a failure here means the data section is
// damaged, which MMDB_open does not check.
bool record_decodes(MMDB_entry_s entry) noexcept {
  static const char* const kPaths[][4] = {
      {"continent", "code", nullptr},
      {"country", "iso_code", nullptr},
      {"subdivisions", "0", "iso_code", nullptr},
      {"location", "latitude", nullptr},
  };
  for (const auto& path : kPaths) {
    MMDB_entry_data_s data{};
    const int status = MMDB_aget_value(&entry, &data, path);
    // Missing keys are fine; LOOKUP_PATH_DOES_NOT_MATCH_DATA is a shape
    // mismatch, not damage. Anything else (invalid data, bad pointer) is.
    if (status != MMDB_SUCCESS && status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return false;
  }
  return true;
}

}  // namespace

GeoDb::OpenResult GeoDb::open(const std::string& path) {
  OpenResult result;
  static std::atomic<std::uint64_t> next_id{1};
  std::unique_ptr<GeoDb> db(new GeoDb());
  db->path_ = path;
  db->id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  errno = 0;
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db->mmdb_);
  if (status != MMDB_SUCCESS) {
    result.error = path + ": cannot open MaxMind database: " + MMDB_strerror(status);
    if (status == MMDB_IO_ERROR && errno != 0) result.error += std::string(" (") + std::strerror(errno) + ")";
    return result;  // MMDB_open frees what it allocated on failure
  }
  db->opened_ = true;
  const int version = db->mmdb_.metadata.ip_version;
  if (version != 4 && version != 6) {
    result.error = path + ": unsupported ip_version " + std::to_string(version) + " in MaxMind metadata";
    return result;
  }
  // Probe lookups spread over both families: each matching record must decode.
  static const char* const kProbes[] = {"1.1.1.1",     "8.8.8.8",         "100.64.0.1",      "192.0.2.1",
                                        "203.0.113.1", "2001:4860::8888", "2001:db8:100::1", "2a00:1450::1"};
  for (const char* text : kProbes) {
    const auto address = base::IpAddress::parse(text);
    if (version == 4 && address->is_v6()) continue;
    sockaddr_storage ss{};
    address->to_sockaddr(ss);
    int mmdb_error = MMDB_SUCCESS;
    const MMDB_lookup_result_s r =
        MMDB_lookup_sockaddr(&db->mmdb_, reinterpret_cast<const sockaddr*>(&ss), &mmdb_error);
    if (mmdb_error != MMDB_SUCCESS || (r.found_entry && !record_decodes(r.entry))) {
      result.error = path + ": damaged MaxMind database (lookup of " + text +
                     " failed: " + MMDB_strerror(mmdb_error != MMDB_SUCCESS ? mmdb_error : MMDB_INVALID_DATA_ERROR) +
                     ")";
      return result;
    }
  }
  result.db = std::move(db);
  return result;
}

GeoDb::~GeoDb() {
  if (opened_) MMDB_close(&mmdb_);
}

GeoInfo GeoDb::lookup(const base::IpAddress& address) const noexcept {
  // Per thread, direct-mapped, in front of the tree walk (most of a cached
  // lookup's cost once decoded records are cached): the result for one
  // address holds for its whole network, so it is kept per covering block —
  // the /24 of an IPv4 address, the /56 of an IPv6 one, the prefixes resolvers
  // send in ECS (RFC 7871 §11.1) — but only when the network is at least that
  // wide (prefix_length <= block), which makes every address of the block
  // share it. Longer networks are looked up every time. No locks, no sharing
  // between workers; entries of a closed database never match (ids are not
  // reused).
  const base::IpAddress a = address.normalized();
  const int block = a.is_v4() ? 24 : 56;
  const std::size_t key_bytes = static_cast<std::size_t>(block / 8);
  struct Slot {
    std::uint64_t db_id = 0;  // 0 = empty; ids start at 1
    std::uint64_t key = 0;    // the block's bytes, big-endian, family in the low byte
    GeoInfo info;
  };
  // On the heap, made by a thread's first lookup: only threads that look up
  // pay for it (~1.8 MB), not every thread's static TLS block.
  static thread_local std::unique_ptr<std::array<Slot, kNetworkCacheSlots>> cache;
  if (!cache) {
    cache.reset(new (std::nothrow) std::array<Slot, kNetworkCacheSlots>());
    if (!cache) return lookup_impl(a, true);  // out of memory: still answer, uncached
  }
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < key_bytes; ++i) key = (key << 8) | a.raw()[i];
  key = (key << 8) | static_cast<std::uint64_t>(a.family());
  Slot& slot = (*cache)[(key * 0x9e3779b97f4a7c15ULL) >> (64 - kNetworkCacheBits)];
  if (slot.db_id == id_ && slot.key == key) return slot.info;
  GeoInfo info = lookup_impl(a, true);
  if (info.prefix_length <= block) {
    slot.db_id = id_;
    slot.key = key;
    slot.info = info;
  }
  return info;
}

GeoInfo GeoDb::lookup_uncached(const base::IpAddress& address) const noexcept {
  return lookup_impl(address, false);
}

GeoInfo GeoDb::lookup_impl(const base::IpAddress& address, bool use_cache) const noexcept {
  GeoInfo info;
  const base::IpAddress a = address.normalized();
  const bool v6_tree = mmdb_.metadata.ip_version == 6;
  if (a.is_v6() && !v6_tree) return info;  // an IPv4-only database says nothing about any IPv6 address

  sockaddr_storage ss{};
  a.to_sockaddr(ss);
  int mmdb_error = MMDB_SUCCESS;
  const MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&mmdb_, reinterpret_cast<const sockaddr*>(&ss), &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS) {
    info.prefix_length = static_cast<std::uint8_t>(a.bit_count());
    return info;
  }
  // libmaxminddb reports the depth of the record in its own tree. IPv4 data in
  // an IPv6 tree sits under ::/96, so 96 of those bits are not IPv4 bits (Knot
  // mod-geoip does the same "netmask -= 96"). A tree whose ::/96 path ends
  // early (one record covering all of IPv4) yields less than 96: clamp at 0.
  int bits = r.netmask;
  if (a.is_v4() && v6_tree) bits -= 96;
  const auto prefix_length = static_cast<std::uint8_t>(std::clamp(bits, 0, a.bit_count()));
  if (!r.found_entry) {
    info.prefix_length = prefix_length;
    return info;
  }

  if (!use_cache) {
    info = decode(r);
  } else {
    // Direct-mapped, per thread: no locks, no sharing between workers. 1024
    // slots of ~40 bytes each.
    struct Slot {
      std::uint64_t db_id = 0;  // 0 = empty; ids start at 1
      std::uint32_t offset = 0;
      GeoInfo info;
    };
    static thread_local std::array<Slot, 1024> cache;
    // Records are laid out back to back, so low offset bits vary most; a
    // multiplicative hash spreads them over the slots anyway.
    Slot& slot = cache[(r.entry.offset * 2654435761u) >> 22];
    if (slot.db_id != id_ || slot.offset != r.entry.offset) {
      slot.info = decode(r);
      slot.db_id = id_;
      slot.offset = r.entry.offset;
    }
    info = slot.info;
  }
  info.prefix_length = prefix_length;
  return info;
}

GeoInfo GeoDb::decode(const MMDB_lookup_result_s& r) const noexcept {
  static const char* const kContinent[] = {"continent", "code", nullptr};
  static const char* const kCountry[] = {"country", "iso_code", nullptr};
  static const char* const kRegisteredCountry[] = {"registered_country", "iso_code", nullptr};
  static const char* const kSubdivision[] = {"subdivisions", "0", "iso_code", nullptr};
  static const char* const kLatitude[] = {"location", "latitude", nullptr};
  static const char* const kLongitude[] = {"location", "longitude", nullptr};

  GeoInfo info;
  info.found = true;
  info.continent.assign(string_at(r.entry, kContinent));
  std::string_view country = string_at(r.entry, kCountry);
  // Some networks (satellite, anycast, anonymous proxies) carry only the
  // registering country; it is a weaker hint but better than none.
  if (country.empty()) country = string_at(r.entry, kRegisteredCountry);
  info.country.assign(country);
  info.subdivision.assign(string_at(r.entry, kSubdivision));

  double lat = 0, lon = 0;
  if (double_at(r.entry, kLatitude, lat) && double_at(r.entry, kLongitude, lon) && std::abs(lat) <= 90 &&
      std::abs(lon) <= 180) {
    info.has_coordinates = true;
    info.coordinate_source = CoordinateSource::database;
    info.latitude = lat;
    info.longitude = lon;
  }
  if (!info.country.empty() && (!info.has_coordinates || info.continent.empty())) {
    if (const CountryCentroid* c = find_country_centroid(info.country.view())) {
      if (info.continent.empty()) info.continent.assign(c->continent);
      if (!info.has_coordinates) {
        info.has_coordinates = true;
        info.coordinate_source = CoordinateSource::country_centroid;
        info.latitude = c->latitude;
        info.longitude = c->longitude;
      }
    }
  }
  return info;
}

}  // namespace gslb::geo
