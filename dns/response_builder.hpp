// ResponseBuilder: writes a response into a caller-owned buffer, RRset by
// RRset, with name compression (RFC 1035 §4.1.4) and all-or-nothing RRsets so
// that a truncated answer never holds a partial RRset (RFC 2181 §9).
//
// One per worker; reset by start() for every packet; no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dns/lookup.hpp"
#include "dns/wire_query.hpp"

namespace gslb::dns {

// Cuts a finished response down to its header and question with TC set and
// every other count zero, in place, so the client retries over TCP (RFC 7766
// §5). For a datagram the network refused as too large (EMSGSIZE under DF).
// Returns the new size, or 0 when `response` holds no well-formed question.
std::size_t truncate_to_question(std::uint8_t* response, std::size_t size);

class ResponseBuilder {
 public:
  enum Section { answer = 0, authority = 1, additional = 2 };

  // Writes the header (ID, opcode, RD and CD copied; QR set) and, when
  // `with_question`, the question as received. `limit` is the most bytes the
  // response may take, `reserve` what must stay free for the OPT RR.
  // Returns false if not even that fits.
  bool start(std::uint8_t* out, std::size_t limit, std::size_t reserve, const WireQuery& q, bool with_question);

  // Adds a whole RRset to `section`, or nothing when it does not fit (returns false).
  bool add(Section section, const ZoneData& zone, const SectionEntry& e);
  // Adds one RR with opaque RDATA (never compressed).
  bool add_rr(Section section, const std::uint8_t* owner, std::size_t owner_length, std::uint16_t type,
              std::uint16_t rclass, std::uint32_t ttl, const std::uint8_t* rdata, std::size_t rdlength);

  // Sets RCODE (low 4 bits), AA and TC, writes the counts, and appends the OPT
  // RR in the reserved space when `opt` is non-null. Returns the size.
  std::size_t finish(std::uint8_t rcode, bool aa, bool tc, const std::uint8_t* opt, std::size_t opt_length);

  std::size_t size() const { return pos_; }

 private:
  struct Suffix {
    const std::uint8_t* lower;  // canonical wire bytes of the suffix
    std::uint16_t offset;       // where it is in the packet
    std::uint8_t length;
  };
  static constexpr std::size_t max_suffixes = 96;
  static constexpr std::size_t scratch_size = 2048;

  // Writes a name, compressed against earlier names; `lower` is its canonical
  // form, `original` the bytes to emit (case kept). False if it does not fit.
  bool write_name(const std::uint8_t* original, const std::uint8_t* lower, std::size_t length);
  // Same, for a name inside RDATA given only in original case.
  bool write_rdata_name(const std::uint8_t* original, std::size_t length);
  bool write_rdata(std::uint16_t type, const std::uint8_t* rdata, std::size_t rdlength);
  // The one-RR CNAME RRset synthesized from a DNAME (rrset == nullptr).
  bool add_synthesized_cname(Section section, const SectionEntry& e);

  std::uint8_t* out_ = nullptr;
  std::size_t limit_ = 0;
  std::size_t pos_ = 0;
  std::uint16_t counts_[3] = {0, 0, 0};
  Suffix suffixes_[max_suffixes];
  std::size_t suffix_count_ = 0;
  std::uint8_t scratch_[scratch_size];
  std::size_t scratch_used_ = 0;
};

}  // namespace gslb::dns
