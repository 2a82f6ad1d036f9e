#include "gslb/policy_schema.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "gslb/policy.hpp"

using namespace gslb;

namespace {

std::string_view default_of(base::Schema schema, std::string_view key) {
  for (const auto& item : schema) {
    if (item.key == key) return item.default_value;
  }
  FAIL("no key " << key);
  return {};
}

}  // namespace

TEST_CASE("schema defaults agree with the model's initialisers") {
  const policy::Region region;
  const policy::Member member;
  const policy::Record record;
  const policy::Policy p;
  CHECK(default_of(policy::schema::region(), "bias") == std::to_string(region.bias));
  CHECK(default_of(policy::schema::member(), "weight") == std::to_string(member.weight));
  CHECK(default_of(policy::schema::record(), "ttl") == std::to_string(record.ttl));
  CHECK(default_of(policy::schema::record(), "answers") == std::to_string(record.answers));
  CHECK(default_of(policy::schema::record(), "when_all_down") ==
        policy::schema::when_all_down_names[static_cast<int>(record.when_all_down)]);
  CHECK(default_of(policy::schema::top(), "panic_threshold") == std::to_string(p.panic_threshold_percent));
  CHECK(policy::schema::steering_names[static_cast<int>(policy::Steering::all)] == "all");
  CHECK(policy::schema::steering_names[static_cast<int>(policy::Steering::hash)] == "hash");
}

TEST_CASE("docs/policy-reference.md is the generated reference") {
  std::ostringstream generated;
  policy::schema::write_policy_reference(generated);
  std::ifstream in(std::string(GSLB_SOURCE_DIR) + "/docs/policy-reference.md", std::ios::binary);
  std::ostringstream committed;
  committed << in.rdbuf();
  // On a difference: build/gslb check --print-policy-schema > docs/policy-reference.md
  CHECK(committed.str() == generated.str());
}
