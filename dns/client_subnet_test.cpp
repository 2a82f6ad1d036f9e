#include "dns/client_subnet.hpp"

#include <doctest/doctest.h>

#include <vector>

namespace gslb::dns {

TEST_CASE("ECS options parse and validate per RFC 7871 section 6") {
  struct Row {
    std::vector<std::uint8_t> body;
    bool valid;
  };
  const std::vector<Row> rows = {
      {{0, 1, 24, 0, 198, 51, 100}, true},
      {{0, 1, 0, 0}, true},  // source /0: no address octets
      {{0, 1, 32, 0, 192, 0, 2, 1}, true},
      {{0, 2, 56, 0, 0x20, 1, 0x0d, 0xb8, 0, 0, 0}, true},
      {{0, 2, 128, 0, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, true},
      {{0, 1, 25, 0, 198, 51, 100, 128}, true},  // /25: top bit of the 4th octet
      {{0, 1, 25, 0, 198, 51, 100, 64}, false},  // a bit beyond /25
      {{0, 1, 24, 0, 198, 51, 100, 0}, false},   // one octet too many
      {{0, 1, 24, 0, 198, 51}, false},           // one too few
      {{0, 1, 33, 0, 1, 2, 3, 4, 5}, false},
      {{0, 2, 129, 0, 1}, false},
      {{0, 0, 0, 0}, false},  // family 0
      {{0, 3, 8, 0, 1}, false},
      {{0, 1, 8}, false},  // shorter than the fixed part
  };
  for (const auto& row : rows) {
    CAPTURE(row.body.size());
    ClientSubnet ecs;
    CHECK(parse_client_subnet(row.body.data(), row.body.size(), ecs) == row.valid);
  }
}

TEST_CASE("ECS echo keeps family, source and address and sets the scope") {
  const std::vector<std::uint8_t> body = {0, 1, 22, 0, 10, 20, 28};
  ClientSubnet ecs;
  REQUIRE(parse_client_subnet(body.data(), body.size(), ecs));
  std::vector<std::uint8_t> out(client_subnet_wire_size(ecs));
  CHECK(write_client_subnet(out.data(), ecs, 16) == out.size());
  CHECK(out == std::vector<std::uint8_t>{0, 8, 0, 7, 0, 1, 22, 16, 10, 20, 28});
}

}  // namespace gslb::dns
