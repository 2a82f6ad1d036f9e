// The shared, read-only state of a running `gslb lb`: its validated config,
// one Pool per configured pool (whose views change on health events), and the
// compiled router. Built once from a RegionConfig; workers hold a reference.
#pragma once

#include <memory>
#include <vector>

#include "regional-lb/config.hpp"
#include "regional-lb/pool.hpp"
#include "regional-lb/router.hpp"

namespace gslb::lb {

struct Region {
  // hash_key: the pools' secret for hashing balancers (random in production).
  Region(RegionConfig cfg, const base::SipKey& hash_key);

  const RegionConfig config;
  const base::SipKey hash_key;               // kept across reloads so hashing balancers do not remap
  std::vector<std::unique_ptr<Pool>> pools;  // same order as config.pools
  const Router router;
};

}  // namespace gslb::lb
