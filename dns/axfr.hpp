// Outgoing zone transfers (AXFR, RFC 5936), over TCP only.
//
// The QueryProcessor recognises an AXFR request and returns
// ProcessResult::axfr with the zone; the TCP session checks the client
// against the allow-list (none allowed by default → REFUSED) and then sends
// the messages an AxfrWriter produces. The writer holds the records of the
// zone snapshot the transfer started with, so a reload meanwhile changes
// nothing in a transfer already under way.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/net_util.hpp"
#include "dns/zone.hpp"

namespace gslb::dns {

// True if `client` falls in one of the `allow` prefixes.
bool axfr_allowed(const std::vector<base::AddressPrefix>& allow, const sockaddr_storage& client);

// Produces the response messages of one transfer of `zone`: the SOA first,
// then every other record, then the SOA again (RFC 5936 §2.2), packed into
// messages of up to `message_limit` bytes (a single larger record gets a
// message of its own, up to 65535). Owner names go uncompressed: compression
// is optional (RFC 5936 §2.2 leaves it to the server) and secondaries accept either.
//
// Not thread-safe; the zone must outlive the writer (hold the ZoneSet).
class AxfrWriter {
 public:
  AxfrWriter(std::span<const std::uint8_t> query, const Zone& zone, std::size_t message_limit = 16 * 1024);

  // False if the query had no usable question (the caller answers FORMERR or closes).
  bool valid() const { return !prefix_.empty(); }

  // Replaces `out` with the next message preceded by its 2-byte TCP length
  // (RFC 1035 §4.2.2). Returns false, leaving `out` empty, once the final SOA
  // has been sent.
  bool next(std::vector<std::uint8_t>& out);

 private:
  std::vector<std::uint8_t> prefix_;  // header + question of the first message
  std::size_t question_size_ = 0;
  std::vector<Record> records_;  // materialised from the snapshot the transfer started with
  std::size_t position_ = 0;     // into records_ followed by records_[0] again
  std::size_t message_limit_;
};

// Length of the question section of `message` (name + type + class) that
// starts at offset 12, or 0 if malformed or absent.
std::size_t question_length(std::span<const std::uint8_t> message);

}  // namespace gslb::dns
