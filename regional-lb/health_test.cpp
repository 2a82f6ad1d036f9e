#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "regional-lb/health_monitor.hpp"
#include "regional-lb/pool.hpp"

using namespace gslb::lb;

TEST_CASE("stored check states apply before the monitor starts: down stays down, up stays up") {
  char pattern[] = "/tmp/gslb-lb-health-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(pattern);
  auto load = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
pools:
  web:
    backends: [ { address: 127.0.0.1:9 }, { address: 127.0.0.1:10 }, { address: 127.0.0.1:11 } ]
    check: { interval: 1h, timeout: 1s, rise: 2 }
)",
                                  "r.yaml");
  REQUIRE(load.config);
  const auto& pool = load.config->pools[0];
  std::string error;
  auto store = gslb::health::StateStore::open(dir / "lb.db", error);
  REQUIRE(store);
  const auto now = std::chrono::system_clock::now();
  auto key = [&](std::size_t m) {
    return gslb::health::Scheduler::check_key(pool.backends[m].address.ip,
                                              check_spec(*pool.check, pool.backends[m].address));
  };
  store->save_checks({{key(0), gslb::health::State::down, now, now, std::nullopt, "connect: refused"},
                      {key(1), gslb::health::State::up, now, now, std::nullopt, "HTTP 200"},
                      // Too old to trust: ignored, so the first probe will decide.
                      {key(2), gslb::health::State::down, now - std::chrono::hours(2), now - std::chrono::hours(2),
                       std::nullopt, "old"}});
  store->flush();
  auto region = std::make_shared<const Region>(std::move(*load.config), gslb::base::SipKey{1, 2});
  {
    HealthMonitor monitor(region, store.get());  // not started: no probe has run
    const auto view = region->pools[0]->view();
    CHECK(view->members()[0].state == MemberState::down);
    CHECK(view->members()[1].state == MemberState::up);
    CHECK(view->members()[2].state == MemberState::up);
  }
  store.reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE("pool flags combine: drain beats down beats up; each source clears only itself") {
  PoolConfig c;
  c.name = "p";
  std::string error;
  c.backends.push_back({*parse_endpoint("10.0.0.1:80", &error), 1});
  c.backends.push_back({*parse_endpoint("10.0.0.2:80", &error), 1});
  Pool pool(c, gslb::base::SipKey{1, 2});
  const auto first_version = pool.view()->version();
  CHECK(pool.set_checked_up(0, false));
  CHECK(pool.view()->members()[0].state == MemberState::down);
  CHECK(pool.view()->version() != first_version);
  CHECK_FALSE(pool.set_ejected(0, true));     // still down: no new view
  CHECK_FALSE(pool.set_checked_up(0, true));  // still ejected
  CHECK(pool.view()->members()[0].state == MemberState::down);
  CHECK(pool.set_draining(0, true));
  CHECK(pool.view()->members()[0].state == MemberState::draining);
  CHECK(pool.set_draining(0, false));
  CHECK(pool.view()->members()[0].state == MemberState::down);
  CHECK(pool.set_ejected(0, false));
  CHECK(pool.view()->members()[0].state == MemberState::up);
  CHECK(pool.available_count() == 2);
}

TEST_CASE("slow start ramps the effective weight from 10 % to 100 % and stops") {
  PoolConfig c;
  c.name = "p";
  std::string error;
  c.backends.push_back({*parse_endpoint("10.0.0.1:80", &error), 100});
  c.backends.push_back({*parse_endpoint("10.0.0.2:80", &error), 100});
  Pool pool(c, gslb::base::SipKey{1, 2});
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  const std::chrono::milliseconds ramp{10'000};
  pool.start_ramp(1, t0);
  CHECK(pool.view()->members()[1].effective_weight == 10);
  CHECK(pool.view()->total_weight() == 110);
  CHECK(pool.tick_ramps(t0 + std::chrono::seconds(5), ramp));
  CHECK(pool.view()->members()[1].effective_weight == 55);  // 100 × (0.1 + 0.9 × 0.5)
  CHECK(pool.view()->members()[0].effective_weight == 100);
  CHECK_FALSE(pool.tick_ramps(t0 + std::chrono::seconds(10), ramp));
  CHECK(pool.view()->members()[1].effective_weight == 100);
  const auto version = pool.view()->version();
  CHECK_FALSE(pool.tick_ramps(t0 + std::chrono::seconds(20), ramp));
  CHECK(pool.view()->version() == version);  // nothing moved: no new view
}
