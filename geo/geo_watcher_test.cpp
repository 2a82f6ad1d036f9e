#include "geo/geo_watcher.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "geo/test_paths.hpp"

using namespace gslb::geo;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A scratch directory per test case, removed at the end.
struct TempDir {
  fs::path dir;
  explicit TempDir(const char* tag) {
    dir = fs::temp_directory_path() / ("gslb-geowatch-" + std::string(tag) + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() { fs::remove_all(dir); }
  // Replace `name` atomically by writing a sibling and renaming it over, as
  // geoipupdate and `mv` do.
  void replace(const std::string& name, const std::string& bytes) const {
    const auto tmp = dir / (name + ".tmp");
    std::ofstream(tmp, std::ios::binary) << bytes;
    fs::rename(tmp, dir / name);
  }
};

std::string type_of(gslb::base::Snapshot<GeoDb>& snap) {
  const auto db = snap.load();
  return db ? db->database_type() : "(none)";
}

}  // namespace

TEST_CASE("watcher: debounced reload, corrupt and missing files keep the old database") {
  const TempDir tmp("steps");
  const std::string city = read_all(test_data_path("test-city.mmdb"));
  const std::string country = read_all(test_data_path("test-country.mmdb"));
  REQUIRE(!city.empty());
  REQUIRE(!country.empty());
  tmp.replace("geo.mmdb", city);
  const std::string path = (tmp.dir / "geo.mmdb").string();

  gslb::base::Snapshot<GeoDb> snap;
  std::vector<GeoWatcher::Event> events;
  GeoWatcher watcher(path, snap, {1s, 2s}, [&](const GeoWatcher::Event& e) { events.push_back(e); });
  REQUIRE(watcher.load_initial().empty());
  CHECK(type_of(snap) == "GeoIP2-City");

  const auto t0 = GeoWatcher::Clock::time_point{} + 1h;
  CHECK_FALSE(watcher.poll(t0));  // unchanged
  CHECK(events.empty());

  SUBCASE("a replaced file is loaded once it has been quiet for the quiescence period") {
    tmp.replace("geo.mmdb", country);
    CHECK_FALSE(watcher.poll(t0 + 1s));  // change seen, clock starts
    CHECK_FALSE(watcher.poll(t0 + 2s));  // quiet for 1 s < 2 s
    CHECK(type_of(snap) == "GeoIP2-City");
    CHECK(watcher.poll(t0 + 3s));  // quiet for 2 s
    CHECK(type_of(snap) == "GeoIP2-Country");
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == GeoWatcher::Event::Kind::loaded);
    CHECK(events[0].message == path + ": reloaded GeoIP2-Country");
    CHECK_FALSE(watcher.poll(t0 + 10s));  // nothing new
    CHECK(watcher.reload_count() == 1);
  }

  SUBCASE("a file still being written restarts the quiet period, and is loaded once") {
    // Unlink first so the published database's mapping is never truncated.
    fs::remove(path);
    { std::ofstream(path, std::ios::binary) << country.substr(0, country.size() / 2); }
    CHECK_FALSE(watcher.poll(t0 + 1s));
    { std::ofstream(path, std::ios::binary | std::ios::app) << country.substr(country.size() / 2); }
    CHECK_FALSE(watcher.poll(t0 + 2500ms));  // size changed: clock restarts here
    CHECK_FALSE(watcher.poll(t0 + 4s));      // 1.5 s quiet
    CHECK(watcher.poll(t0 + 4600ms));        // 2.1 s quiet
    CHECK(type_of(snap) == "GeoIP2-Country");
    CHECK(watcher.reload_count() == 1);
    CHECK(watcher.failure_count() == 0);  // the half-written file was never opened
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == GeoWatcher::Event::Kind::loaded);
  }

  SUBCASE("a corrupt replacement is reported once and the old database keeps serving") {
    const auto before = snap.load();
    tmp.replace("geo.mmdb", std::string(5000, 'x'));
    CHECK_FALSE(watcher.poll(t0 + 1s));
    CHECK_FALSE(watcher.poll(t0 + 5s));
    CHECK(snap.load() == before);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == GeoWatcher::Event::Kind::load_failed);
    CHECK(events[0].message.find(path + ": cannot open MaxMind database") == 0);
    CHECK(events[0].message.find("keeping the previous database") != std::string::npos);
    CHECK_FALSE(watcher.poll(t0 + 20s));  // same bad file: not retried, not re-reported
    CHECK(events.size() == 1);
    CHECK(watcher.failure_count() == 1);
    // A good file afterwards is picked up.
    tmp.replace("geo.mmdb", country);
    CHECK_FALSE(watcher.poll(t0 + 21s));
    CHECK(watcher.poll(t0 + 23s));
    CHECK(type_of(snap) == "GeoIP2-Country");
  }

  SUBCASE("a truncated copy (damaged, valid-looking size) is refused") {
    const auto before = snap.load();
    tmp.replace("geo.mmdb", city.substr(0, city.size() - 200));
    CHECK_FALSE(watcher.poll(t0 + 1s));
    CHECK_FALSE(watcher.poll(t0 + 3s));
    CHECK(snap.load() == before);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == GeoWatcher::Event::Kind::load_failed);
  }

  SUBCASE("a missing file is reported once, keeps the old database, and its return is loaded") {
    const auto before = snap.load();
    fs::remove(path);
    CHECK_FALSE(watcher.poll(t0 + 1s));
    CHECK_FALSE(watcher.poll(t0 + 2s));
    CHECK_FALSE(watcher.poll(t0 + 9s));
    CHECK(snap.load() == before);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == GeoWatcher::Event::Kind::missing);
    CHECK(events[0].message.find(path + ": No such file or directory") == 0);
    tmp.replace("geo.mmdb", country);
    CHECK_FALSE(watcher.poll(t0 + 10s));
    CHECK(watcher.poll(t0 + 12s));
    CHECK(type_of(snap) == "GeoIP2-Country");
    CHECK(events.size() == 2);
  }
}

TEST_CASE("watcher follows a symlink that is switched to another file") {
  // A common deployment: geo.mmdb -> releases/2026-11-01.mmdb, switched by
  // renaming a new link over the old one.
  const TempDir tmp("symlink");
  tmp.replace("city.mmdb", read_all(test_data_path("test-city.mmdb")));
  tmp.replace("country.mmdb", read_all(test_data_path("test-country.mmdb")));
  fs::create_symlink("city.mmdb", tmp.dir / "geo.mmdb");
  gslb::base::Snapshot<GeoDb> snap;
  GeoWatcher watcher((tmp.dir / "geo.mmdb").string(), snap, {1s, 2s});
  REQUIRE(watcher.load_initial().empty());
  CHECK(type_of(snap) == "GeoIP2-City");
  const auto t0 = GeoWatcher::Clock::time_point{} + 1h;
  fs::create_symlink("country.mmdb", tmp.dir / "geo.mmdb.new");
  fs::rename(tmp.dir / "geo.mmdb.new", tmp.dir / "geo.mmdb");
  CHECK_FALSE(watcher.poll(t0));
  CHECK(watcher.poll(t0 + 2s));
  CHECK(type_of(snap) == "GeoIP2-Country");
}

TEST_CASE("watcher: start-up errors name the file") {
  const TempDir tmp("startup");
  gslb::base::Snapshot<GeoDb> snap;
  const std::string missing = (tmp.dir / "absent.mmdb").string();
  GeoWatcher absent(missing, snap, {});
  const std::string error = absent.load_initial();
  CHECK(error.find(missing + ": cannot open MaxMind database") == 0);
  CHECK(snap.load() == nullptr);

  tmp.replace("bad.mmdb", "not a database");
  const std::string bad = (tmp.dir / "bad.mmdb").string();
  GeoWatcher broken(bad, snap, {});
  CHECK(broken.load_initial().find(bad + ": ") == 0);
  CHECK(snap.load() == nullptr);
}

TEST_CASE("watcher thread picks up a replaced file without a restart") {
  const TempDir tmp("thread");
  tmp.replace("geo.mmdb", read_all(test_data_path("test-city.mmdb")));
  gslb::base::Snapshot<GeoDb> snap;
  GeoWatcher watcher((tmp.dir / "geo.mmdb").string(), snap, {5ms, 20ms});
  REQUIRE(watcher.load_initial().empty());
  gslb::base::Snapshot<GeoDb>::Reader reader(snap);
  CHECK(reader.get()->database_type() == "GeoIP2-City");
  watcher.start();
  tmp.replace("geo.mmdb", read_all(test_data_path("test-country.mmdb")));
  // Wait for the publish with a bounded deadline (readiness poll, not a fixed sleep).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (reader.get()->database_type() != "GeoIP2-Country" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(2ms);
  }
  watcher.stop();
  CHECK(reader.get()->database_type() == "GeoIP2-Country");
  CHECK(watcher.reload_count() == 1);
}
