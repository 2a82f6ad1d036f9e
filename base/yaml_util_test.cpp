#include "base/yaml_util.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace gslb::base;

namespace {

constexpr std::array<SchemaItem, 2> kSchema{{
    {"lat", ValueType::number, true, "", -90, 90, "latitude"},
    {"scale", ValueType::number, false, "1.5", 0, 10, "a factor"},
}};

std::string load(const char* text, double* lat = nullptr, double* scale = nullptr) {
  DiagnosticList diags;
  LoadContext ctx{"t.yaml", diags};
  Section s(ctx, YAML::Load(text), kSchema, "top");
  if (lat) *lat = s.number("lat");
  if (scale) *scale = s.number("scale");
  std::string out;
  for (const auto& d : diags.items()) out += d.format() + "\n";
  return out;
}

}  // namespace

TEST_CASE("number values: decimals and signs, defaults, range, garbage") {
  double lat = 0, scale = 0;
  CHECK(load("{lat: -6.25}", &lat, &scale).empty());
  CHECK(lat == -6.25);
  CHECK(scale == 1.5);
  CHECK(load("{lat: 90, scale: 0}", &lat, &scale).empty());
  CHECK(lat == 90);
  CHECK(scale == 0);
  CHECK(load("{lat: 90.5}") == "t.yaml:1:7: error: top.lat: 90.5 is out of range -90..90\n");
  CHECK(load("{lat: 1.5x}") == "t.yaml:1:7: error: top.lat: expected a number, got '1.5x'\n");
  CHECK(load("{lat: nan}") == "t.yaml:1:7: error: top.lat: expected a number, got 'nan'\n");
  CHECK(load("{lat: [1]}") == "t.yaml:1:7: error: top.lat: expected a number, got a list\n");
}
