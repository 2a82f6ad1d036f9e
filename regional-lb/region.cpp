#include "regional-lb/region.hpp"

#include "base/log.hpp"

namespace gslb::lb {

Region::Region(RegionConfig cfg, const base::SipKey& key) : config(std::move(cfg)), hash_key(key), router(config) {
  for (const auto& p : config.pools) pools.push_back(std::make_unique<Pool>(p, hash_key));
  for (const auto& l : config.listeners) {
    std::shared_ptr<const TlsServerContext> ctx;
    if (l.tls) {
      std::string error;
      ctx = TlsServerContext::create(*l.tls, &error);
      // The loader already loaded every pair; if OpenSSL still refuses, the
      // listener refuses handshakes rather than serve plain text on a TLS port.
      if (!ctx) base::log_error("lb", "TLS on ", l.address.text, ": ", error, "; handshakes will fail");
    }
    tls.push_back(std::move(ctx));
  }
}

}  // namespace gslb::lb
