// The shared, read-only state of a running `gslb lb`: its validated config,
// one Pool per configured pool (whose views change on health events), and the
// compiled router. Built once from a RegionConfig; workers hold a reference.
#pragma once

#include <memory>
#include <vector>

#include "regional-lb/config.hpp"
#include "regional-lb/pool.hpp"
#include "regional-lb/router.hpp"
#include "regional-lb/tls.hpp"

namespace gslb::lb {

struct Region {
  // hash_key: the pools' secret for hashing balancers (random in production).
  Region(RegionConfig cfg, const base::SipKey& hash_key);

  const RegionConfig config;
  const base::SipKey hash_key;               // kept across reloads so hashing balancers do not remap
  std::vector<std::unique_ptr<Pool>> pools;  // same order as config.pools
  const Router router;
  // Per listener (same order as config.listeners): its TLS contexts, or null
  // for plain HTTP. Built from the certificates read with this config, so a
  // reload serves the re-read files to new connections.
  std::vector<std::shared_ptr<const TlsServerContext>> tls;
};

}  // namespace gslb::lb
