// The one hook between the DNS core and whatever computes answers at query
// time (the GSLB engine). dns/ never includes gslb/: the engine implements
// this interface and the server is handed a pointer to it.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gslb::dns {

// What the server knows about the client when it asks for a dynamic answer.
struct ClientInfo {
  sockaddr_storage source{};     // packet source address
  bool has_ecs = false;          // query carried a valid EDNS Client Subnet option
  std::uint16_t ecs_family = 0;  // 1 = IPv4, 2 = IPv6 (RFC 7871 §6)
  std::uint8_t ecs_source_prefix = 0;
  std::array<std::uint8_t, 16> ecs_address{};  // host bits beyond the prefix are zero
};

// A fixed-capacity list of address RDATA: the answer is built in place in a
// buffer the caller owns, so the query path allocates nothing. 8 is the most
// addresses a GSLB record may answer with (its `answers` range is 1-8).
class AddressList {
 public:
  using Rdata = std::array<std::uint8_t, 16>;  // 4 bytes used for A, 16 for AAAA
  static constexpr std::size_t kCapacity = 8;

  // False (and nothing added) when full.
  bool push_back(const Rdata& rdata) noexcept {
    if (size_ == kCapacity) return false;
    items_[size_++] = rdata;
    return true;
  }
  void clear() noexcept { size_ = 0; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const Rdata& operator[](std::size_t i) const noexcept { return items_[i]; }
  const Rdata* begin() const noexcept { return items_.data(); }
  const Rdata* end() const noexcept { return items_.data() + size_; }
  friend bool operator==(const AddressList& a, const AddressList& b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::array<Rdata, kCapacity> items_{};  // only the first size_ are meaningful
  std::size_t size_ = 0;
};

struct DynamicAnswer {
  // Address RDATA to answer with, in order.
  AddressList addresses;
  std::uint32_t ttl = 0;
  // RFC 7871 §7.2.1: the widest prefix for which this answer holds; 0 when it
  // does not depend on the client.
  std::uint8_t scope_prefix = 0;
  enum class Kind { answer, nodata, servfail } kind = Kind::answer;

  void reset() noexcept {
    addresses.clear();
    ttl = 0;
    scope_prefix = 0;
    kind = Kind::answer;
  }
};

class DynamicAnswerSource {
 public:
  virtual ~DynamicAnswerSource() = default;
  // Called on a worker thread for names inside a loaded zone, before static
  // lookup. Returns false to decline (static data answers); returns true
  // after filling every field of `out`, a buffer the caller owns and reuses
  // from query to query (whatever it held before is overwritten). Must not
  // block and must be safe to call from several workers at once, each with
  // its own `out`. `qname_key` is the query name in wire form, lower-cased
  // (Name::canonical_key form), so the hot path allocates nothing.
  virtual bool answer(std::string_view qname_key, std::uint16_t qtype, const ClientInfo& client,
                      DynamicAnswer& out) const = 0;
};

}  // namespace gslb::dns
