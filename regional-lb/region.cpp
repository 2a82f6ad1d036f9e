#include "regional-lb/region.hpp"

namespace gslb::lb {

Region::Region(RegionConfig cfg, const base::SipKey& key) : config(std::move(cfg)), hash_key(key), router(config) {
  for (const auto& p : config.pools) pools.push_back(std::make_unique<Pool>(p, hash_key));
}

}  // namespace gslb::lb
