// hash: consistent per client prefix, stable across a rebuild, and removing a
// member moves only that member's clients.
#include <doctest/doctest.h>

#include <map>

#include "gslb/steering/test_policy.hpp"

namespace gslb::policy {
namespace {

Policy hash_policy(int members, int skip = 0) {
  Policy p = testing::world_policy();
  Pool h;
  h.name = "h";
  for (int i = 1; i <= members; ++i)
    if (i != skip) h.members.push_back(testing::member("h", "eu-west", "192.0.2." + std::to_string(i)));
  p.pools["h"] = h;
  p.records["h"] = testing::record("h", "h", {Steering::hash}, 1);
  return p;
}

// Client /24 number → chosen member, for 2000 client prefixes.
std::map<int, std::string> choices(const CompiledPolicy& cp) {
  testing::Runner run{cp};
  std::map<int, std::string> out;
  for (int i = 0; i < 2000; ++i) {
    const auto client = testing::source_client("10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".77");
    const auto result = run.run("h", &client);
    CHECK(result.answer.scope_prefix == 24);
    out[i] = testing::addresses(result.answer, base::IpFamily::v4).at(0);
  }
  return out;
}

TEST_CASE("hash: stable across a rebuild, spread over members, minimal movement on removal") {
  const auto before = choices(compile(hash_policy(5)));
  CHECK(choices(compile(hash_policy(5))) == before);
  std::map<std::string, int> load;
  for (const auto& [client, member] : before) ++load[member];
  CHECK(load.size() == 5);
  for (const auto& [member, n] : load) CHECK(n > 2000 / 5 / 2);

  const auto after = choices(compile(hash_policy(5, 3)));  // 192.0.2.3 removed
  int moved = 0;
  for (const auto& [client, member] : before) {
    if (member == "192.0.2.3") {
      CHECK(after.at(client) != "192.0.2.3");
      ++moved;
    } else {
      CHECK(after.at(client) == member);  // nobody else moves
    }
  }
  CHECK(moved == load["192.0.2.3"]);
}

TEST_CASE("hash: same /24 same member; ECS scope capped by the source prefix") {
  const CompiledPolicy cp = compile(hash_policy(8));
  testing::Runner run{cp};
  const auto a = testing::source_client("10.1.2.3");
  const auto b = testing::source_client("10.1.2.250");
  CHECK(run.run("h", &a).answer.addresses == run.run("h", &b).answer.addresses);
  const auto ecs = testing::ecs_client("10.1.0.0/20");
  CHECK(run.run("h", &ecs).answer.scope_prefix == 20);
  const auto v6 = testing::source_client("2001:db8::1");
  CHECK(run.run("h", &v6).answer.scope_prefix == 56);
  // A down member's clients go elsewhere; it comes back to the same clients.
  const auto first = run.run("h", &a).answer.addresses;
  const auto id = "h/" + testing::addresses(run.run("h", &a).answer, base::IpFamily::v4)[0];
  run.set_down(id);
  CHECK(run.run("h", &a).answer.addresses != first);
  run.set_down(id, false);
  CHECK(run.run("h", &a).answer.addresses == first);
}

TEST_CASE("all: every healthy member, shuffled, capped at answers, scope 0") {
  Policy p = hash_policy(4);
  p.records["h"].steering = {Steering::all};
  p.records["h"].answers = 8;
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  const auto client = testing::source_client("192.0.2.1");
  std::map<std::string, int> first;
  for (int i = 0; i < 400; ++i) {
    const auto result = run.run("h", &client);
    CHECK(result.answer.scope_prefix == 0);
    auto got = testing::addresses(result.answer, base::IpFamily::v4);
    REQUIRE(got.size() == 4);
    ++first[got[0]];
  }
  CHECK(first.size() == 4);  // each member leads some answers (pitfall 20)
  run.set_down("h/192.0.2.2");
  CHECK(run.run("h", &client).answer.addresses.size() == 3);
  p.records["h"].answers = 2;
  const CompiledPolicy two = compile(p);
  testing::Runner run2{two};
  CHECK(run2.run("h", &client).answer.addresses.size() == 2);
}

TEST_CASE("composition: geo then weighted picks by weight inside the nearest region") {
  Policy p = testing::world_policy();
  Pool mix;
  mix.name = "mix";
  mix.members.push_back(testing::member("mix", "murmansk", "192.0.2.1", 100));
  mix.members.push_back(testing::member("mix", "murmansk", "192.0.2.2", 100));
  mix.members.push_back(testing::member("mix", "us-east", "192.0.2.3", 255));
  p.pools["mix"] = mix;
  p.records["m"] = testing::record("m", "mix", {Steering::geo, Steering::weighted}, 1);
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  const auto tromso = testing::source_client("192.0.2.5");
  std::map<std::string, int> counts;
  for (int i = 0; i < 400; ++i) {
    const auto result = run.run("m", &tromso);
    CHECK(result.answer.scope_prefix == 24);  // geo made it client-dependent
    ++counts[testing::addresses(result.answer, base::IpFamily::v4)[0]];
  }
  CHECK(counts.count("192.0.2.3") == 0);
  CHECK(counts["192.0.2.1"] > 100);
  CHECK(counts["192.0.2.2"] > 100);
}

}  // namespace
}  // namespace gslb::policy
