#include "health/scheduler.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include "health/test_http_server.hpp"

using namespace gslb::health;
using gslb::health::testing::TestHttpServer;
namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

const auto kLoopback = asio::ip::make_address("127.0.0.1");

CheckSpec fast_http(std::uint16_t port) {
  CheckSpec spec;
  spec.type = CheckType::http;
  spec.port = port;
  spec.path = "/health";
  spec.interval = milliseconds(50);
  spec.timeout = milliseconds(40);
  spec.rise = 2;
  spec.fall = 3;
  spec.jitter = 0;
  return spec;
}

// Polls the published view until `ok` holds or `limit` passes; returns the
// time it took, or nullopt on timeout. Polling with a deadline, not sleeping
// as synchronisation.
std::optional<milliseconds> wait_for(const Scheduler& scheduler, const std::function<bool(const HealthView&)>& ok,
                                     milliseconds limit = milliseconds(3000)) {
  const auto start = steady_clock::now();
  while (steady_clock::now() - start < limit) {
    if (ok(*scheduler.view().load())) return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
    std::this_thread::sleep_for(milliseconds(2));
  }
  return std::nullopt;
}

std::function<bool(const HealthView&)> probed_is(const std::string& id, State state) {
  return [id, state](const HealthView& view) {
    const TargetHealth* t = view.find(id);
    return t && t->probed == state;
  };
}

Scheduler::Options with_store(StateStore* store) {
  Scheduler::Options options;
  options.store = store;
  return options;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/gslb-health-sched-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

TEST_CASE("scheduler: identical checks share one probe stream") {
  TestHttpServer server;
  Scheduler scheduler;
  const CheckSpec spec = fast_http(server.port());
  CHECK(scheduler.add_target("pool-a/eu1", kLoopback, spec).empty());
  CHECK(scheduler.add_target("pool-b/eu1", kLoopback, spec).empty());
  scheduler.start();
  REQUIRE(wait_for(scheduler, [](const HealthView& v) {
    return v.find("pool-a/eu1") && v.find("pool-a/eu1")->probed == State::up && v.find("pool-b/eu1") &&
           v.find("pool-b/eu1")->probed == State::up;
  }));
  CHECK(scheduler.probe_streams() == 1);

  // Let the single stream run for at least 8 probes and compare the server's
  // count of connections with what ONE stream can produce: waits are >= 50 ms
  // (jitter 0), so in T ms at most T/50 + 1 probes. Two streams would double it.
  const auto start = steady_clock::now();
  const std::size_t accepted_before = server.accepted();
  const auto deadline = start + std::chrono::seconds(3);
  while (server.accepted() < accepted_before + 8 && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(2));
  const auto elapsed_ms = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
  const std::size_t accepted = server.accepted() - accepted_before;
  CHECK(accepted >= 8);
  CHECK(accepted <= static_cast<std::size_t>(elapsed_ms / 50 + 2));

  // A different spec (other path) is a second stream; removing one of the
  // two sharing targets keeps the first stream; removing both ends it.
  CheckSpec other = spec;
  other.path = "/other";
  CHECK(scheduler.add_target("pool-c/eu1", kLoopback, other).empty());
  REQUIRE(wait_for(scheduler, [](const HealthView& v) { return v.find("pool-c/eu1") != nullptr; }));
  CHECK(scheduler.probe_streams() == 2);
  scheduler.remove_target("pool-a/eu1");
  REQUIRE(wait_for(scheduler, [](const HealthView& v) { return v.find("pool-a/eu1") == nullptr; }));
  CHECK(scheduler.probe_streams() == 2);
  scheduler.remove_target("pool-b/eu1");
  REQUIRE(wait_for(scheduler, [](const HealthView& v) { return v.find("pool-b/eu1") == nullptr; }));
  CHECK(scheduler.probe_streams() == 1);

  // TCP checks that differ only in a field TCP ignores are the same probe.
  CheckSpec tcp_a = spec;
  tcp_a.type = CheckType::tcp;
  CheckSpec tcp_b = tcp_a;
  tcp_b.path = "/ignored";
  scheduler.add_target("tcp-a", kLoopback, tcp_a);
  scheduler.add_target("tcp-b", kLoopback, tcp_b);
  REQUIRE(wait_for(scheduler, [](const HealthView& v) { return v.find("tcp-a") && v.find("tcp-b"); }));
  CHECK(scheduler.probe_streams() == 2);
}

TEST_CASE("scheduler: invalid spec is refused with the reason") {
  Scheduler scheduler;
  CheckSpec spec = fast_http(80);
  spec.rise = 0;
  CHECK(scheduler.add_target("x", kLoopback, spec) == "rise must be between 1 and 100");
}

TEST_CASE("scheduler: failover within fall x interval, recovery after rise") {
  TestHttpServer server;
  Scheduler scheduler;
  const CheckSpec spec = fast_http(server.port());  // interval 50 ms, timeout 40 ms, rise 2, fall 3
  scheduler.add_target("eu/lb1", kLoopback, spec);
  scheduler.start();
  // The first result sets the state directly: up after one probe, not `rise`.
  auto first_up = wait_for(scheduler, probed_is("eu/lb1", State::up));
  REQUIRE(first_up);
  CHECK(*first_up < milliseconds(1000));
  CHECK(server.requests() <= 2);
  const TargetHealth healthy = *scheduler.view().load()->find("eu/lb1");
  CHECK(healthy.up);
  CHECK(healthy.detail == "HTTP 200");
  CHECK(healthy.rtt.has_value());

  // The region starts failing: 503. Down after exactly `fall` failures, which
  // cannot take less than (fall - 1) waits nor (with margin for a loaded CI
  // box) much more than fall x (interval + timeout).
  const std::size_t requests_before = server.requests();
  server.set_status(503);
  auto went_down = wait_for(scheduler, probed_is("eu/lb1", State::down));
  REQUIRE(went_down);
  CHECK(*went_down >= milliseconds(2 * 50 - 10));
  CHECK(*went_down < milliseconds(3 * (50 + 40) + 700));
  CHECK(server.requests() - requests_before >= 3);
  const TargetHealth failed = *scheduler.view().load()->find("eu/lb1");
  CHECK_FALSE(failed.up);
  CHECK(failed.detail == "HTTP 503, expected 2xx");
  CHECK_FALSE(failed.rtt.has_value());  // reset on the change, and failures carry no RTT

  // Back to 200: up again after `rise` successes.
  server.set_status(200);
  auto came_back = wait_for(scheduler, probed_is("eu/lb1", State::up));
  REQUIRE(came_back);
  CHECK(*came_back >= milliseconds(50 - 10));

  // Server gone entirely: connection refused, down again.
  server.stop_listening();
  REQUIRE(wait_for(scheduler, probed_is("eu/lb1", State::down)));
  CHECK(scheduler.view().load()->find("eu/lb1")->detail == "connect: Connection refused");
}

TEST_CASE("scheduler: overrides apply per target id, probes keep running") {
  TestHttpServer server;
  Scheduler scheduler;
  const CheckSpec spec = fast_http(server.port());
  scheduler.add_target("a", kLoopback, spec);
  scheduler.add_target("b", kLoopback, spec);
  scheduler.set_override("a", Forced::down, "maintenance");
  scheduler.start();
  REQUIRE(wait_for(scheduler, probed_is("b", State::up)));
  REQUIRE(wait_for(scheduler, probed_is("a", State::up)));
  const auto view = scheduler.view().load();
  CHECK_FALSE(view->find("a")->up);  // forced down although probes pass
  CHECK(view->find("a")->forced == Forced::down);
  CHECK(view->find("b")->up);  // same probe stream, not forced
  CHECK(view->time_until_change("a", steady_clock::now()) == milliseconds::max());

  scheduler.set_override("a", Forced::drain, "");
  REQUIRE(wait_for(scheduler, [](const HealthView& v) { return v.find("a")->forced == Forced::drain; }));
  CHECK(scheduler.view().load()->find("a")->up);
  CHECK_FALSE(scheduler.view().load()->find("a")->serving());
  scheduler.set_override("a", Forced::none, "");
  REQUIRE(wait_for(scheduler, [](const HealthView& v) { return v.find("a")->forced == Forced::none; }));
  CHECK(scheduler.view().load()->find("a")->serving());
}

TEST_CASE("scheduler: state and overrides survive a restart through the store") {
  TempDir dir;
  TestHttpServer server;
  server.set_status(503);
  CheckSpec spec = fast_http(server.port());
  // Long enough that `rise` successes take clearly longer than the view takes to appear.
  spec.interval = milliseconds(300);
  spec.timeout = milliseconds(100);
  const std::string key = Scheduler::check_key(kLoopback, spec);
  {
    std::string error;
    auto store = StateStore::open(dir.path / "health.db", error);
    REQUIRE(store);
    Scheduler scheduler(with_store(store.get()));
    scheduler.add_target("eu/lb1", kLoopback, spec);
    scheduler.set_override("eu/lb2", Forced::drain, "rebuild");
    scheduler.start();
    REQUIRE(wait_for(scheduler, probed_is("eu/lb1", State::down)));
    scheduler.stop();
    store->flush();
    auto saved = store->load_checks();
    REQUIRE(saved.size() == 1);
    CHECK(saved[0].check_key == key);
    CHECK(saved[0].state == State::down);
    CHECK(saved[0].detail == "HTTP 503, expected 2xx");
  }
  // Restart while the server has recovered: the restored state (down) is the
  // starting state, and with rise 2 one success must not bring it up.
  server.set_status(200);
  std::string error;
  auto store = StateStore::open(dir.path / "health.db", error);
  REQUIRE(store);
  Scheduler scheduler(with_store(store.get()));
  scheduler.add_target("eu/lb1", kLoopback, spec);
  scheduler.add_target("eu/lb2", kLoopback, spec);
  const std::size_t requests_before = server.requests();
  const auto started = steady_clock::now();
  scheduler.start();
  REQUIRE(wait_for(scheduler, [](const HealthView& v) { return v.find("eu/lb1") && v.find("eu/lb2"); }));
  const auto first_view = scheduler.view().load();
  if (steady_clock::now() - started < spec.interval) {
    CHECK(first_view->find("eu/lb1")->probed == State::down);
    CHECK_FALSE(first_view->find("eu/lb1")->up);
  }
  CHECK(first_view->find("eu/lb2")->forced == Forced::drain);
  CHECK_FALSE(first_view->find("eu/lb2")->serving());
  auto came_up = wait_for(scheduler, probed_is("eu/lb1", State::up));
  REQUIRE(came_up);
  CHECK(server.requests() - requests_before >= 2);  // needed `rise` successes, not one
  CHECK(*came_up >= spec.interval - milliseconds(30));
}

TEST_CASE("scheduler: on_publish sees each change as it is published") {
  TestHttpServer server;
  std::atomic<int> publications{0};
  std::atomic<int> down_seen{0};
  Scheduler::Options options;
  options.on_publish = [&](const std::shared_ptr<const HealthView>& view) {
    ++publications;
    if (const TargetHealth* t = view->find("x"); t && t->probed == State::down) ++down_seen;
  };
  Scheduler scheduler(std::move(options));
  scheduler.add_target("x", kLoopback, fast_http(server.port()));
  scheduler.start();
  REQUIRE(wait_for(scheduler, probed_is("x", State::up)));
  server.set_status(500);
  REQUIRE(wait_for(scheduler, probed_is("x", State::down)));
  scheduler.stop();
  CHECK(down_seen.load() >= 1);
  CHECK(publications.load() >= 3);  // target listed, up, and at least the pending + down steps
}

TEST_CASE("scheduler: time until change from a live view shrinks as failures pile up") {
  TestHttpServer server;
  Scheduler scheduler;
  CheckSpec spec = fast_http(server.port());
  spec.interval = milliseconds(200);
  spec.timeout = milliseconds(100);
  spec.fall = 3;
  scheduler.add_target("t", kLoopback, spec);
  scheduler.start();
  REQUIRE(wait_for(scheduler, probed_is("t", State::up)));
  // Up with no failure: at most fall x interval = 600 ms, and more than the
  // 1 x interval left even if two whole intervals had passed unobserved.
  auto ttl = scheduler.view().load()->time_until_change("t", steady_clock::now());
  CHECK(ttl <= milliseconds(600));
  CHECK(ttl > milliseconds(200));

  // One failure in: the bound drops to about (fall - 1) x interval.
  server.set_status(503);
  REQUIRE(wait_for(scheduler, [](const HealthView& v) { return v.find("t")->results_to_change == 2; }));
  ttl = scheduler.view().load()->time_until_change("t", steady_clock::now());
  CHECK(ttl <= milliseconds(400));
  CHECK(ttl > milliseconds(150));
}
