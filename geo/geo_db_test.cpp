#include "geo/geo_db.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "geo/country_centroids.hpp"
#include "geo/test_paths.hpp"

using gslb::base::IpAddress;
using namespace gslb::geo;

namespace {

std::unique_ptr<GeoDb> open_or_fail(const std::string& path) {
  auto opened = GeoDb::open(path);
  REQUIRE_MESSAGE(opened.db != nullptr, opened.error);
  CHECK(opened.error.empty());
  return std::move(opened.db);
}

struct Row {
  const char* address;
  bool found;
  const char* continent;
  const char* country;
  const char* subdivision;
  CoordinateSource source;
  double latitude;
  double longitude;
  int prefix_length;
};

void check_rows(const GeoDb& db, std::initializer_list<Row> rows) {
  for (const auto& row : rows) {
    const std::string where = db.path() + " " + row.address;
    INFO(where);
    const auto address = IpAddress::parse(row.address);
    REQUIRE(address.has_value());
    const GeoInfo info = db.lookup(*address);
    CHECK(info.found == row.found);
    CHECK(info.continent.view() == row.continent);
    CHECK(info.country.view() == row.country);
    CHECK(info.subdivision.view() == row.subdivision);
    CHECK(info.coordinate_source == row.source);
    CHECK(info.has_coordinates == (row.source != CoordinateSource::none));
    CHECK(info.latitude == doctest::Approx(row.latitude).epsilon(1e-6));
    CHECK(info.longitude == doctest::Approx(row.longitude).epsilon(1e-6));
    CHECK(int{info.prefix_length} == row.prefix_length);
    // The per-thread record cache returns what a fresh decode does.
    const GeoInfo fresh = db.lookup_uncached(*address);
    CHECK(fresh.found == info.found);
    CHECK(fresh.country == info.country);
    CHECK(fresh.continent == info.continent);
    CHECK(fresh.subdivision == info.subdivision);
    CHECK(fresh.coordinate_source == info.coordinate_source);
    CHECK(fresh.latitude == info.latitude);
    CHECK(fresh.prefix_length == info.prefix_length);
    // Raw v4-mapped bytes (as a dual-stack socket would hand them over) give the same answer.
    if (address->is_v4()) {
      const GeoInfo mapped = db.lookup(address->to_v6_mapped());
      CHECK(mapped.country == info.country);
      CHECK(mapped.prefix_length == info.prefix_length);
    }
  }
}

constexpr auto DB = CoordinateSource::database;
constexpr auto CENTROID = CoordinateSource::country_centroid;
constexpr auto NONE = CoordinateSource::none;

}  // namespace

TEST_CASE("City database: country, continent, subdivision, coordinates and prefix per address") {
  const auto db = open_or_fail(test_data_path("test-city.mmdb"));
  CHECK(db->database_type() == "GeoIP2-City");
  CHECK(db->ip_version() == 6);
  check_rows(*db, {
                      // IPv4 in an IPv6 tree: the prefix is IPv4-sized (netmask - 96).
                      {"192.0.2.1", true, "EU", "NO", "54", DB, 69.6496, 18.9560, 24},
                      {"192.0.2.255", true, "EU", "NO", "54", DB, 69.6496, 18.9560, 24},
                      {"::ffff:192.0.2.1", true, "EU", "NO", "54", DB, 69.6496, 18.9560, 24},
                      {"198.51.100.77", true, "OC", "AU", "NSW", DB, -33.8688, 151.2093, 24},
                      {"203.0.113.255", true, "AS", "JP", "13", DB, 35.6895, 139.6917, 24},
                      {"100.64.0.1", true, "SA", "BR", "SP", DB, -23.5505, -46.6333, 16},
                      {"100.65.255.255", true, "AF", "ZA", "GT", DB, -26.2041, 28.0473, 16},
                      {"100.67.0.1", true, "EU", "IS", "1", DB, 64.1466, -21.9426, 16},
                      {"100.68.1.1", true, "AS", "SG", "", DB, 1.2897, 103.8501, 16},
                      // Nested networks: a /24 in CA carved out of a /16 in US. The /16's
                      // remainder is split along the /24's path, so addresses next to it see
                      // narrower networks: the prefix edges.
                      {"198.18.7.0", true, "NA", "CA", "BC", DB, 49.2827, -123.1207, 24},
                      {"198.18.7.255", true, "NA", "CA", "BC", DB, 49.2827, -123.1207, 24},
                      {"198.18.6.255", true, "NA", "US", "CA", DB, 37.7749, -122.4194, 24},
                      {"198.18.8.0", true, "NA", "US", "CA", DB, 37.7749, -122.4194, 21},
                      {"198.18.0.1", true, "NA", "US", "CA", DB, 37.7749, -122.4194, 22},
                      {"198.18.200.1", true, "NA", "US", "CA", DB, 37.7749, -122.4194, 17},
                      // A City record with a country but no location: the centroid table.
                      {"100.71.5.5", true, "EU", "FR", "", CENTROID, 46.0, 2.0, 16},
                      // A continent-only record: found, but nothing to measure distance from.
                      {"100.72.0.1", true, "EU", "", "", NONE, 0, 0, 16},
                      // IPv6
                      {"2001:db8:100::1", true, "EU", "NO", "54", DB, 69.6496, 18.9560, 48},
                      {"2001:db8:200:ffff::1", true, "OC", "AU", "NSW", DB, -33.8688, 151.2093, 48},
                      {"2001:db8:300:5::1", true, "NA", "CA", "BC", DB, 49.2827, -123.1207, 64},
                      {"2001:db8:300:4::1", true, "NA", "US", "CA", DB, 37.7749, -122.4194, 64},
                      {"2001:db8:300:8000::1", true, "NA", "US", "CA", DB, 37.7749, -122.4194, 49},
                      {"2001:db8:600::", true, "AF", "ZA", "GT", DB, -26.2041, 28.0473, 48},
                      // 6to4 (2002:c000:0201:: embeds 192.0.2.1): the writer aliases
                      // 2002::/16 onto the IPv4 data, so the prefix is 16 + 24 bits.
                      {"2002:c000:0201::1", true, "EU", "NO", "54", DB, 69.6496, 18.9560, 40},
                      // Teredo (2001:0:SSSS:SSSS::, server 192.0.2.1): aliased too, so it
                      // finds the Teredo *server's* network (32 + 24 bits), not the client's.
                      // Documented behaviour of MaxMind's alias, kept as is.
                      {"2001:0:c000:0201::1", true, "EU", "NO", "54", DB, 69.6496, 18.9560, 56},
                  });
}

TEST_CASE("addresses in no network are not found and still carry the empty network's prefix") {
  const auto db = open_or_fail(test_data_path("test-city.mmdb"));
  for (const char* text : {"8.8.8.8", "192.0.3.1", "10.0.0.1", "2001:db9::1", "2001:db8:700::1", "::1"}) {
    INFO(std::string(text));
    const auto address = *IpAddress::parse(text);
    const GeoInfo info = db->lookup(address);
    CHECK_FALSE(info.found);
    CHECK(info.country.empty());
    CHECK_FALSE(info.has_coordinates);
    CHECK(info.prefix_length <= address.bit_count());
    // The whole empty network really is empty: its first and last addresses are not found either.
    const gslb::base::Prefix empty(address, info.prefix_length);
    CHECK_FALSE(db->lookup(empty.address()).found);
  }
  // 192.0.3.1 is just past NO's 192.0.2.0/24: the empty block next to it is a /24 too.
  CHECK(db->lookup(*IpAddress::parse("192.0.3.1")).prefix_length == 24);
}

TEST_CASE("Country database: no location, so coordinates come from the country centroid") {
  const auto db = open_or_fail(test_data_path("test-country.mmdb"));
  CHECK(db->database_type() == "GeoIP2-Country");
  const auto* no = find_country_centroid("NO");
  REQUIRE(no != nullptr);
  check_rows(*db, {
                      {"192.0.2.1", true, "EU", "NO", "", CENTROID, no->latitude, no->longitude, 24},
                      {"198.18.7.1", true, "NA", "CA", "", CENTROID, 60.0, -95.0, 24},
                      {"198.18.200.1", true, "NA", "US", "", CENTROID, 39.83, -98.58, 17},
                      {"2001:db8:200::1", true, "OC", "AU", "", CENTROID, -27.0, 133.0, 48},
                      {"100.72.0.1", true, "EU", "", "", NONE, 0, 0, 16},
                      {"8.8.8.8", false, "", "", "", NONE, 0, 0, 2},
                  });
}

TEST_CASE("IPv4-only database: prefixes are not shifted, IPv6 is never found") {
  const auto db = open_or_fail(test_data_path("test-v4only.mmdb"));
  CHECK(db->ip_version() == 4);
  check_rows(*db, {
                      {"192.0.2.1", true, "EU", "NO", "", CENTROID, 62.0, 10.0, 24},
                      {"::ffff:198.18.7.9", true, "NA", "CA", "", CENTROID, 60.0, -95.0, 24},
                      {"198.18.8.0", true, "NA", "US", "", CENTROID, 39.83, -98.58, 21},
                      {"2001:db8:100::1", false, "", "", "", NONE, 0, 0, 0},
                  });
}

TEST_CASE("missing, empty, garbage and truncated files are refused with the path in the message") {
  const auto dir = std::filesystem::temp_directory_path() / ("gslb-geodb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string good = test_data_path("test-city.mmdb");
  std::string good_bytes;
  {
    std::ifstream in(good, std::ios::binary);
    good_bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  REQUIRE(good_bytes.size() > 1000);
  const auto write = [&](const char* name, const std::string& bytes) {
    const auto path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  };
  struct Case {
    std::string path;
    const char* message_part;
  };
  const Case cases[] = {
      {(dir / "absent.mmdb").string(), "cannot open"},
      {write("empty.mmdb", ""), "cannot open"},
      {write("garbage.mmdb", std::string(4096, 'x')), "cannot open"},
      {write("head.mmdb", good_bytes.substr(0, good_bytes.size() / 2)), "cannot open"},
      {write("tail.mmdb", good_bytes.substr(good_bytes.size() / 2)), ""},
  };
  // A file whose tree and metadata are fine but whose data section is
  // overwritten: MMDB_open accepts it, the probe lookups must not.
  {
    MMDB_s raw{};
    REQUIRE(MMDB_open(good.c_str(), MMDB_MODE_MMAP, &raw) == MMDB_SUCCESS);
    const std::size_t data_start = raw.metadata.node_count * raw.metadata.record_size * 2 / 8 + 16;
    MMDB_close(&raw);
    std::string damaged = good_bytes;
    for (std::size_t i = data_start; i < data_start + 64 && i < damaged.size(); ++i) damaged[i] = '\xff';
    const auto path = write("damaged-data.mmdb", damaged);
    const auto opened = GeoDb::open(path);
    CHECK(opened.db == nullptr);
    CHECK(opened.error.find(path + ": damaged MaxMind database (lookup of ") == 0);
    CHECK(opened.error.find("data section contains bad data") != std::string::npos);
  }
  for (const auto& c : cases) {
    INFO(c.path);
    const auto opened = GeoDb::open(c.path);
    CHECK(opened.db == nullptr);
    CHECK(opened.error.find(c.path) == 0);
    CHECK(opened.error.find(c.message_part) != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("the network cache: each address gets what an uncached lookup gives, around nested networks") {
  const auto db = open_or_fail(test_data_path("test-city.mmdb"));
  // 198.18.7.0/24 (CA) inside 198.18.0.0/16 (US); 2001:db8:300:5::/64 (CA)
  // inside 2001:db8:300::/48 (US), i.e. a network longer than the /56 block
  // the cache keys IPv6 by. Addresses alternate between the nested network
  // and its surroundings, within one block and across blocks, twice (second
  // pass: whatever the first one cached).
  const char* addresses[] = {"198.18.6.1",        "198.18.7.1",         "198.18.7.254",      "198.18.8.9",
                             "198.18.6.200",      "2001:db8:300:1::1",  "2001:db8:300:5::1", "2001:db8:300:5:1::",
                             "2001:db8:300:6::9", "2001:db8:300:100::", "2001:db8:300:1::2", "100.72.1.1",
                             "100.72.200.1",      "10.1.2.3",           "10.1.2.4",          "::ffff:198.18.7.9"};
  for (int pass = 0; pass < 2; ++pass) {
    for (const char* text : addresses) {
      INFO(text << " pass " << pass);
      const auto address = *IpAddress::parse(text);
      const GeoInfo cached = db->lookup(address);
      const GeoInfo fresh = db->lookup_uncached(address);
      CHECK(cached.found == fresh.found);
      CHECK(cached.country == fresh.country);
      CHECK(cached.subdivision == fresh.subdivision);
      CHECK(cached.latitude == fresh.latitude);
      CHECK(int{cached.prefix_length} == int{fresh.prefix_length});
    }
  }
  CHECK(db->lookup(*IpAddress::parse("2001:db8:300:5::1")).country == "CA");
  CHECK(db->lookup(*IpAddress::parse("2001:db8:300:4::1")).country == "US");
  CHECK(db->lookup(*IpAddress::parse("198.18.7.77")).country == "CA");
  CHECK(db->lookup(*IpAddress::parse("198.18.6.77")).country == "US");
}

TEST_CASE("the record cache never mixes up databases, even at equal record offsets") {
  // The City and Country files have the same networks in the same order, so
  // their records can sit at equal offsets; the cache key includes the
  // database, and a reopened file is a new database.
  auto city = open_or_fail(test_data_path("test-city.mmdb"));
  auto country = open_or_fail(test_data_path("test-country.mmdb"));
  const auto address = *IpAddress::parse("192.0.2.1");
  for (int round = 0; round < 3; ++round) {
    CHECK(city->lookup(address).coordinate_source == DB);
    CHECK(country->lookup(address).coordinate_source == CENTROID);
  }
  country.reset();
  auto reopened = open_or_fail(test_data_path("test-country.mmdb"));
  CHECK(reopened->lookup(address).coordinate_source == CENTROID);
  city.reset();
  auto city_again = open_or_fail(test_data_path("test-city.mmdb"));
  CHECK(city_again->lookup(address).subdivision == "54");
}

TEST_CASE("the committed databases are what the generator writes") {
  // Regenerate into a scratch directory with the committed script and compare
  // answers address by address, so the script and the .mmdb files cannot
  // drift apart (the files differ byte-wise only by build_epoch).
  const auto dir = std::filesystem::temp_directory_path() / ("gslb-mmdbgen-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string command = "perl '" + test_data_path("make_test_mmdb.pl") + "' '" + dir.string() + "' > '" +
                              (dir / "log").string() + "' 2>&1";
  REQUIRE_MESSAGE(std::system(command.c_str()) == 0, "generator failed: see ", (dir / "log").string());
  std::vector<IpAddress> probes;
  for (const char* base : {"192.0.2.0", "198.51.100.0", "203.0.113.0", "198.18.0.0", "198.18.7.0", "100.64.0.0",
                           "100.66.0.0", "100.67.0.0", "100.71.0.0", "100.72.0.0", "8.8.8.0"}) {
    const auto a = *IpAddress::parse(base);
    for (std::uint32_t step : {0u, 1u, 255u, 256u, 4095u, 65535u})
      probes.push_back(IpAddress::v4(a.v4_host_order() + step));
  }
  for (const char* text :
       {"2001:db8:100::1", "2001:db8:200::", "2001:db8:300:5::", "2001:db8:300:4:ffff::", "2001:db8:400::9",
        "2001:db8:500::", "2001:db8:600::", "2001:db8:700::", "2002:c000:0201::"}) {
    probes.push_back(*IpAddress::parse(text));
  }
  for (const char* file : {"test-city.mmdb", "test-country.mmdb", "test-v4only.mmdb"}) {
    INFO(std::string(file));
    const auto committed = open_or_fail(test_data_path(file));
    const auto fresh = open_or_fail((dir / file).string());
    CHECK(fresh->database_type() == committed->database_type());
    CHECK(fresh->ip_version() == committed->ip_version());
    for (const auto& a : probes) {
      const std::string where = a.to_string();
      INFO(where);
      const GeoInfo x = committed->lookup_uncached(a);
      const GeoInfo y = fresh->lookup_uncached(a);
      CHECK(x.found == y.found);
      CHECK(x.continent == y.continent);
      CHECK(x.country == y.country);
      CHECK(x.subdivision == y.subdivision);
      CHECK(x.coordinate_source == y.coordinate_source);
      CHECK(x.latitude == y.latitude);
      CHECK(x.longitude == y.longitude);
      CHECK(x.prefix_length == y.prefix_length);
    }
  }
  std::filesystem::remove_all(dir);
}
