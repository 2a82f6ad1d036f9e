// GeoDb: one opened MaxMind DB file (GeoIP2/GeoLite2 City or Country, or any
// database with the same record shape), read through libmaxminddb.
//
// Ownership: GeoDb owns the MMDB_s and its memory mapping; it is neither
// copyable nor movable (the handle is used in place). Share a loaded database
// as std::shared_ptr<const GeoDb> (see GeoWatcher); it is closed when the last
// holder lets go, so a reader mid-lookup keeps the old file mapped across a
// reload.
//
// Thread context: open() on a control thread. lookup() is const, noexcept,
// allocation-free and safe from any number of threads at once (libmaxminddb
// lookups only read the mapping).
#pragma once

#include <maxminddb.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/ip.hpp"
#include "geo/geo_info.hpp"

namespace gslb::geo {

class GeoDb {
 public:
  struct OpenResult {
    std::unique_ptr<GeoDb> db;  // null on failure
    std::string error;          // "<path>: <why>" on failure, empty on success
  };

  // Maps the file and checks it: valid metadata, IPv4 or IPv6 tree, and a
  // handful of probe lookups that decode cleanly (so a file with a corrupt
  // data section is refused here, not discovered on the query path).
  static OpenResult open(const std::string& path);

  GeoDb(const GeoDb&) = delete;
  GeoDb& operator=(const GeoDb&) = delete;
  ~GeoDb();

  // The record for `address` (v4-mapped addresses are looked up as IPv4).
  // Fields read, by GeoIP2 schema path:
  //   continent/code, country/iso_code (else registered_country/iso_code),
  //   subdivisions/0/iso_code, location/latitude, location/longitude.
  // A record with a country but no location gets the country centroid
  // (coordinate_source == country_centroid); a missing continent is taken
  // from the same table. prefix_length is in the address's own family: an
  // IPv4 address in an IPv6 tree gets libmaxminddb's netmask minus 96 (the
  // IPv4 data lives under ::/96). An IPv6 address in an IPv4-only database
  // is not found, with prefix_length 0. A search-tree error gives "not
  // found" with the full host length, the narrowest (safest) scope; a field
  // that does not decode is left empty.
  //
  // Decoded records are remembered in a small per-thread cache keyed by
  // (database, record offset): many networks share one record (a city), and
  // decoding is most of the cost (see bench/geo). In front of the tree walk,
  // a per-thread cache of kNetworkCacheSlots results keyed by the address's
  // /24 (IPv4) or /56 (IPv6) answers repeat clients of networks at least
  // that wide (see bench/gslb).
  GeoInfo lookup(const base::IpAddress& address) const noexcept;
  static constexpr int kNetworkCacheBits = 15;
  static constexpr std::size_t kNetworkCacheSlots = std::size_t{1} << kNetworkCacheBits;

  // lookup() without the record cache; for tests and benchmarks.
  GeoInfo lookup_uncached(const base::IpAddress& address) const noexcept;

  const std::string& path() const { return path_; }
  std::string database_type() const { return mmdb_.metadata.database_type; }
  int ip_version() const { return mmdb_.metadata.ip_version; }
  std::uint64_t build_epoch() const { return mmdb_.metadata.build_epoch; }

 private:
  GeoDb() = default;
  GeoInfo lookup_impl(const base::IpAddress& address, bool use_cache) const noexcept;
  GeoInfo decode(const MMDB_lookup_result_s& r) const noexcept;

  // Unique for the life of the process (never reused, unlike addresses), so
  // cache entries of a closed database can never match a new one.
  std::uint64_t id_ = 0;

  std::string path_;
  MMDB_s mmdb_{};
  bool opened_ = false;
};

}  // namespace gslb::geo
