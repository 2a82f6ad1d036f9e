#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/atomic_file.hpp"
#include "base/diagnostic.hpp"
#include "base/snapshot.hpp"

using namespace gslb::base;

TEST_CASE("diagnostics format like a compiler and count errors") {
  DiagnosticList list;
  list.error("zones/a.zone", 12, 5, "unknown RR type 'AA'");
  list.warning("zones/a.zone", 3, 0, "TTL 0");
  list.error("", 0, 0, "no zones");
  CHECK(list.error_count() == 2);
  CHECK(list.warning_count() == 1);
  CHECK(list.items()[0].format() == "zones/a.zone:12:5: error: unknown RR type 'AA'");
  CHECK(list.items()[1].format() == "zones/a.zone:3: warning: TTL 0");
  CHECK(list.items()[2].format() == "error: no zones");
  std::ostringstream out;
  list.print(out);
  CHECK(out.str().find("a.zone:3: warning") != std::string::npos);
}

TEST_CASE("snapshot readers see each publish and keep old data alive") {
  Snapshot<int> snap(std::make_shared<const int>(1));
  Snapshot<int>::Reader reader(snap);
  const auto held = reader.shared();
  CHECK(*reader.get() == 1);
  snap.publish(std::make_shared<const int>(2));
  CHECK(*reader.get() == 2);
  CHECK(*held == 1);  // a worker mid-query still has the old value

  // Concurrent publishes: a reader never sees a value go backwards.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 3; i < 20000; ++i) snap.publish(std::make_shared<const int>(i));
    stop = true;
  });
  int last = 0;
  bool monotonic = true;
  while (!stop) {
    const int v = *reader.get();
    monotonic = monotonic && v >= last;
    last = v;
  }
  writer.join();
  CHECK(monotonic);
  CHECK(*reader.get() == 19999);
}

TEST_CASE("atomic file write replaces contents and leaves no temp files") {
  const auto dir = std::filesystem::temp_directory_path() / ("gslb-atomic-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto target = dir / "state.txt";
  CHECK(write_file_atomically(target, "first").empty());
  CHECK(write_file_atomically(target, "second").empty());
  std::ifstream in(target);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK(text == "second");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
  CHECK_FALSE(write_file_atomically(dir / "missing-dir" / "x", "y").empty());
  std::filesystem::remove_all(dir);
}
