// The one hook between the DNS core and whatever computes answers at query
// time (the GSLB engine). dns/ never includes gslb/: the engine implements
// this interface and the server is handed a pointer to it.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace gslb::dns {

// What the server knows about the client when it asks for a dynamic answer.
struct ClientInfo {
  sockaddr_storage source{};     // packet source address
  bool has_ecs = false;          // query carried a valid EDNS Client Subnet option
  std::uint16_t ecs_family = 0;  // 1 = IPv4, 2 = IPv6 (RFC 7871 §6)
  std::uint8_t ecs_source_prefix = 0;
  std::array<std::uint8_t, 16> ecs_address{};  // host bits beyond the prefix are zero
};

struct DynamicAnswer {
  // Address RDATA to answer with (4 bytes for A, 16 for AAAA), in order.
  std::vector<std::array<std::uint8_t, 16>> addresses;
  std::uint32_t ttl = 0;
  // RFC 7871 §7.2.1: the widest prefix for which this answer holds; 0 when it
  // does not depend on the client.
  std::uint8_t scope_prefix = 0;
  enum class Kind { answer, nodata, servfail } kind = Kind::answer;
};

class DynamicAnswerSource {
 public:
  virtual ~DynamicAnswerSource() = default;
  // Called on a worker thread for names inside a loaded zone, before static
  // lookup. Returns nullopt to decline (static data answers). Must not block
  // and must be safe to call from several workers at once.
  // `qname_key` is the query name in wire form, lower-cased (Name::canonical_key
  // form), so the hot path allocates nothing.
  virtual std::optional<DynamicAnswer> answer(std::string_view qname_key, std::uint16_t qtype,
                                              const ClientInfo& client) const = 0;
};

}  // namespace gslb::dns
