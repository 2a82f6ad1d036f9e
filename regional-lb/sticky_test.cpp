#include "regional-lb/sticky.hpp"

#include <doctest/doctest.h>

using namespace gslb::lb;

TEST_CASE("sticky ids are stable, distinct, and only name available members") {
  std::string error;
  const auto a = *parse_endpoint("10.0.0.1:80", &error);
  const auto b = *parse_endpoint("10.0.0.2:80", &error);
  CHECK(sticky_id(a) == sticky_id(a));
  CHECK(sticky_id(a) != sticky_id(b));
  CHECK(sticky_id(a).size() == 16);
  CHECK(sticky_id(a).find_first_not_of("0123456789abcdef") == std::string::npos);

  PoolConfig c;
  c.name = "p";
  c.backends = {{a, 1}, {b, 1}};
  Pool pool(c, gslb::base::SipKey{3, 4});
  CHECK(sticky_member(*pool.view(), sticky_id(b)) == std::optional<std::uint32_t>{1});
  CHECK_FALSE(sticky_member(*pool.view(), "0000000000000000").has_value());
  CHECK_FALSE(sticky_member(*pool.view(), "short").has_value());
  pool.set_draining(1, true);
  CHECK_FALSE(sticky_member(*pool.view(), sticky_id(b)).has_value());

  CHECK(sticky_set_cookie({"srv", gslb::base::Duration{0}}, "abc") == "srv=abc; Path=/; HttpOnly");
  CHECK(sticky_set_cookie({"srv", gslb::base::Duration{90'000}}, "abc") == "srv=abc; Path=/; HttpOnly; Max-Age=90");
}
