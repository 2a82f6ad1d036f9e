// One section per algorithm, plus properties every algorithm must have.
// Statistical checks use fixed seeds and the ½×–2× fair-share bound of
// dnsdist's test_wrandom, so they are deterministic and still meaningful.
#include <doctest/doctest.h>

#include <array>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "regional-lb/balancer.hpp"
#include "regional-lb/balancer_factory.hpp"

using namespace gslb::lb;

namespace {

const gslb::base::SipKey test_key{0x0123456789abcdefULL, 0xfedcba9876543210ULL};

PoolConfig pool_config(const std::string& balancer, const std::vector<int>& weights) {
  PoolConfig c;
  c.name = "test";
  c.balancer = balancer;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    std::string error;
    auto e = parse_endpoint("10.0.0." + std::to_string(i + 1) + ":80", &error);
    c.backends.push_back({*e, weights[i]});
  }
  return c;
}

// 16-byte client address for the i-th synthetic client.
std::string client_ip(std::uint32_t i) {
  std::array<unsigned char, 16> b{};
  b[10] = b[11] = 0xff;  // v4-mapped
  b[12] = static_cast<unsigned char>(i >> 24);
  b[13] = static_cast<unsigned char>(i >> 16);
  b[14] = static_cast<unsigned char>(i >> 8);
  b[15] = static_cast<unsigned char>(i);
  return std::string(b.begin(), b.end());
}

// Picks `count` times for distinct clients; returns picks per member.
std::vector<int> distribution(Balancer& b, const Pool& pool, int count, bool hold_requests = false) {
  const auto view = pool.view();
  std::vector<int> hits(view->members().size(), 0);
  std::vector<std::uint32_t> started;
  for (int i = 0; i < count; ++i) {
    const std::string ip = client_ip(static_cast<std::uint32_t>(i) * 2654435761u);
    const auto m = b.pick(*view, RequestInfo{ip, {}});
    REQUIRE(m);
    ++hits[*m];
    if (hold_requests) {
      Balancer::on_request_start(*view, *m);
      started.push_back(*m);
    }
  }
  for (auto m : started) Balancer::on_request_end(*view, m, std::chrono::microseconds{0});
  return hits;
}

// Each member's share within ½×–2× of its weight's share.
void check_fair(const std::vector<int>& hits, const std::vector<int>& weights) {
  int total_hits = 0, total_weight = 0;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    total_hits += hits[i];
    total_weight += weights[i];
  }
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const double fair = static_cast<double>(total_hits) * weights[i] / total_weight;
    CAPTURE(i);
    CAPTURE(hits[i]);
    CAPTURE(fair);
    CHECK(hits[i] >= fair / 2);
    CHECK(hits[i] <= fair * 2);
  }
}

}  // namespace

TEST_CASE("every algorithm: picks only available members and says none when none is") {
  for (auto name : balancer_names()) {
    CAPTURE(name);
    Pool pool(pool_config(std::string(name), {1, 1, 1}), test_key);
    auto b = make_balancer(name, 7);
    pool.set_state(1, MemberState::down);
    pool.set_state(2, MemberState::draining);
    const std::string ip = client_ip(42);
    for (int i = 0; i < 50; ++i) {
      const std::string other = client_ip(static_cast<std::uint32_t>(i));
      CHECK(b->pick(*pool.view(), RequestInfo{other, {}}) == std::optional<std::uint32_t>{0});
    }
    pool.set_state(0, MemberState::down);
    CHECK_FALSE(b->pick(*pool.view(), RequestInfo{ip, {}}).has_value());
  }
}

TEST_CASE("every algorithm: pick_excluding moves a retry to another member") {
  for (auto name : balancer_names()) {
    CAPTURE(name);
    Pool pool(pool_config(std::string(name), {1, 1, 1}), test_key);
    auto b = make_balancer(name, 3);
    const std::string ip = client_ip(9);
    const RequestInfo req{ip, {}};
    const auto first = b->pick(*pool.view(), req);
    REQUIRE(first);
    std::vector<std::uint32_t> tried{*first};
    const auto second = b->pick_excluding(*pool.view(), req, tried);
    REQUIRE(second);
    CHECK(*second != *first);
    tried.push_back(*second);
    const auto third = b->pick_excluding(*pool.view(), req, tried);
    REQUIRE(third);
    CHECK(*third != *first);
    CHECK(*third != *second);
    tried.push_back(*third);
    CHECK_FALSE(b->pick_excluding(*pool.view(), req, tried).has_value());
  }
}

TEST_CASE("weight-aware algorithms honour weights, and a changed weight") {
  for (auto name : {"weighted_round_robin", "least_connections", "ip_hash", "consistent_hash", "random_two_choices",
                    "least_response_time"}) {
    CAPTURE(name);
    std::vector<int> weights{1, 3, 1, 5};
    Pool pool(pool_config(name, weights), test_key);
    auto b = make_balancer(name, 12345);
    // Load-aware algorithms spread by in-flight count, so hold requests open.
    check_fair(distribution(*b, pool, 4000, true), weights);
    weights[0] = 6;
    pool.set_weight(0, 6);
    check_fair(distribution(*b, pool, 4000, true), weights);
  }
}

TEST_CASE("round_robin: each member in turn, an exact even share") {
  Pool pool(pool_config("round_robin", {1, 5, 1}), test_key);
  auto b = make_balancer("round_robin", 0);
  const auto view = pool.view();
  std::vector<std::uint32_t> order;
  const RequestInfo req{};
  for (int i = 0; i < 9; ++i) order.push_back(*b->pick(*view, req));
  CHECK(order == std::vector<std::uint32_t>{0, 1, 2, 0, 1, 2, 0, 1, 2});
  // Weights are ignored by design; another seed starts elsewhere but stays even.
  auto seeded = make_balancer("round_robin", 1);
  CHECK(*seeded->pick(*view, req) == 1);
  CHECK(distribution(*seeded, pool, 300) == std::vector<int>{100, 100, 100});
}

TEST_CASE("weighted_round_robin: nginx's smooth sequence and exact shares") {
  Pool pool(pool_config("weighted_round_robin", {5, 1, 1}), test_key);
  auto b = make_balancer("weighted_round_robin", 0);
  std::string sequence;
  for (int i = 0; i < 14; ++i) sequence += static_cast<char>('a' + *b->pick(*pool.view(), RequestInfo{}));
  // nginx ngx_http_upstream_round_robin.c documents "a a b a c a a" for 5,1,1.
  CHECK(sequence == "aabacaaaabacaa");
  CHECK(distribution(*b, pool, 700) == std::vector<int>{500, 100, 100});
  pool.set_weight(1, 3);
  CHECK(distribution(*b, pool, 900) == std::vector<int>{500, 300, 100});
  pool.set_state(0, MemberState::down);
  CHECK(distribution(*b, pool, 400) == std::vector<int>{0, 300, 100});
}

TEST_CASE("least_connections: fewest in-flight per unit of weight") {
  Pool pool(pool_config("least_connections", {1, 1, 1}), test_key);
  auto b = make_balancer("least_connections", 0);
  const auto view = pool.view();
  auto hold = [&](std::uint32_t m, int n) {
    for (int i = 0; i < n; ++i) Balancer::on_request_start(*view, m);
  };
  hold(0, 2);
  hold(2, 1);
  for (int i = 0; i < 5; ++i) CHECK(*b->pick(*view, RequestInfo{}) == 1);
  hold(1, 3);  // now 2, 3, 1
  CHECK(*b->pick(*view, RequestInfo{}) == 2);

  // Weighted: 3 in flight at weight 4 (0.75 each) beats 1 at weight 1.
  Pool weighted(pool_config("least_connections", {4, 1}), test_key);
  const auto wv = weighted.view();
  for (int i = 0; i < 3; ++i) Balancer::on_request_start(*wv, 0);
  Balancer::on_request_start(*wv, 1);
  auto wb = make_balancer("least_connections", 0);
  CHECK(*wb->pick(*wv, RequestInfo{}) == 0);
  Balancer::on_request_start(*wv, 0);  // 4/4 = 1/1: a tie; both must get picked across workers' rotation
  std::map<std::uint32_t, int> tie;
  for (int i = 0; i < 10; ++i) ++tie[*wb->pick(*wv, RequestInfo{})];
  CHECK(tie.size() == 2);
  // Holding every pick open converges to the weights: 400 picks → 320 and 80.
  for (int i = 0; i < 4; ++i) Balancer::on_request_end(*wv, 0, std::chrono::microseconds{1});
  Balancer::on_request_end(*wv, 1, std::chrono::microseconds{1});
  CHECK(distribution(*wb, weighted, 400, true) == std::vector<int>{320, 80});
}

TEST_CASE("ip_hash: sticky per client, keyed by a secret, only a lost member's clients move") {
  Pool pool(pool_config("ip_hash", {1, 1, 1, 1}), test_key);
  auto b = make_balancer("ip_hash", 0);
  auto other_worker = make_balancer("ip_hash", 99);
  std::vector<std::uint32_t> before;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    const std::string ip = client_ip(i);
    const auto m = *b->pick(*pool.view(), RequestInfo{ip, {}});
    CHECK(*other_worker->pick(*pool.view(), RequestInfo{ip, {}}) == m);  // workers agree
    before.push_back(m);
  }
  // Another secret maps the same clients differently (an attacker can't precompute).
  Pool other_secret(pool_config("ip_hash", {1, 1, 1, 1}), gslb::base::SipKey{1, 2});
  int differ = 0;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    const std::string ip = client_ip(i);
    differ += *b->pick(*other_secret.view(), RequestInfo{ip, {}}) != before[i];
  }
  CHECK(differ > 1000);  // ≈ 3/4 expected
  pool.set_state(2, MemberState::down);
  int moved = 0;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    const std::string ip = client_ip(i);
    const auto m = *b->pick(*pool.view(), RequestInfo{ip, {}});
    CHECK(m != 2);
    if (before[i] != 2) {
      CHECK(m == before[i]);
    } else {
      ++moved;
    }
  }
  CHECK(moved > 250);  // ≈ 500 of 2000 were on member 2
}

TEST_CASE("consistent_hash: removing one of N moves only its ~1/N keys; re-adding restores them") {
  constexpr int n = 5, keys = 20000;
  Pool pool(pool_config("consistent_hash", std::vector<int>(n, 1)), test_key);
  auto b = make_balancer("consistent_hash", 0);
  std::vector<std::string> key_values;
  std::vector<std::uint32_t> before;
  for (int i = 0; i < keys; ++i) {
    key_values.push_back("user-" + std::to_string(i));
    before.push_back(*b->pick(*pool.view(), RequestInfo{{}, key_values.back()}));
  }
  std::vector<int> share(n, 0);
  for (auto m : before) ++share[m];
  check_fair(share, std::vector<int>(n, 1));

  pool.set_state(3, MemberState::down);
  int moved = 0;
  for (int i = 0; i < keys; ++i) {
    const auto m = *b->pick(*pool.view(), RequestInfo{{}, key_values[i]});
    if (m != before[i]) {
      ++moved;
      CHECK(before[i] == 3);  // nobody else's key moved
    }
  }
  CHECK(moved == share[3]);
  CHECK(moved > keys / n / 2);
  CHECK(moved < keys / n * 2);

  pool.set_state(3, MemberState::up);
  for (int i = 0; i < keys; ++i) CHECK(*b->pick(*pool.view(), RequestInfo{{}, key_values[i]}) == before[i]);
}

TEST_CASE("consistent_hash: the header/cookie key wins over the client address") {
  Pool pool(pool_config("consistent_hash", {1, 1, 1}), test_key);
  auto b = make_balancer("consistent_hash", 0);
  const auto pinned = *b->pick(*pool.view(), RequestInfo{client_ip(1), "session-abc"});
  for (std::uint32_t i = 0; i < 100; ++i) {
    CHECK(*b->pick(*pool.view(), RequestInfo{client_ip(i), "session-abc"}) == pinned);
  }
}

TEST_CASE("least_response_time: latency × (in-flight + 1) / weight decides each random pair; EWMA of samples") {
  Pool pool(pool_config("least_response_time", {1, 1, 1}), test_key);
  auto b = make_balancer("least_response_time", 0);
  const auto view = pool.view();
  auto sample = [&](std::uint32_t m, long us) {
    Balancer::on_request_start(*view, m);
    Balancer::on_request_end(*view, m, std::chrono::microseconds{us});
  };
  sample(0, 1000);
  sample(1, 1000);
  sample(2, 100);
  CHECK(view->members()[0].load->latency_ewma_us == 1000);  // first sample taken as is
  // Member 2 wins every pair it is in (5 of 9 draws) and the rest is split: ≈ 5/9, 2/9, 2/9.
  auto hits = distribution(*b, pool, 9000);
  CHECK(hits[2] > 4500);
  CHECK(hits[0] > 1000);  // the slow ones are still sampled
  CHECK(hits[1] > 1000);
  // 100 µs × 21 in flight > 1000 µs × 1: now member 2 loses its pairs.
  for (int i = 0; i < 20; ++i) Balancer::on_request_start(*view, 2);
  hits = distribution(*b, pool, 9000);
  CHECK(hits[2] < 1500);
  for (int i = 0; i < 20; ++i) Balancer::on_request_end(*view, 2, std::chrono::microseconds{100});
  // EWMA α = 1/8: 1000 → 1000 + (9000 − 1000)/8 = 2000.
  sample(0, 9000);
  CHECK(view->members()[0].load->latency_ewma_us == 2000);
  CHECK(view->members()[0].load->in_flight == 0);
}

TEST_CASE("random_two_choices: the less loaded of two weighted draws; seeded and reproducible") {
  Pool pool(pool_config("random_two_choices", {1, 1, 1}), test_key);
  auto a = make_balancer("random_two_choices", 5);
  auto same_seed = make_balancer("random_two_choices", 5);
  for (int i = 0; i < 50; ++i)
    CHECK(*a->pick(*pool.view(), RequestInfo{}) == *same_seed->pick(*pool.view(), RequestInfo{}));
  // A heavily loaded member is never chosen when two different members are drawn,
  // so its share falls far below a third.
  const auto view = pool.view();
  for (int i = 0; i < 50; ++i) Balancer::on_request_start(*view, 0);
  const auto hits = distribution(*a, pool, 3000);
  CHECK(hits[0] < 3000 / 6);
  for (int i = 0; i < 50; ++i) Balancer::on_request_end(*view, 0, std::chrono::microseconds{1});
}
