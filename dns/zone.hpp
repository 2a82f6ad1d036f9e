// Zone: one authoritative zone as an immutable index of RRsets, built once from
// the records of its file and then only read (concurrently, without locks).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/name.hpp"
#include "dns/record.hpp"

namespace gslb::dns {

class Zone {
 public:
  using ConstPtr = std::shared_ptr<const Zone>;

  // Indexes `records` (all inside `origin`; the loader has checked that).
  // Semantic problems (no SOA, CNAME beside other data, ...) go to `diags`;
  // returns nullptr if any is an error. Duplicate RRs are dropped (RFC 2181
  // §5); an RRset takes the smallest TTL of its records (RFC 2181 §5.2).
  static ConstPtr build(const Name& origin, std::vector<Record> records, base::DiagnosticList& diags);

  virtual ~Zone() = default;
  const Name& origin() const { return origin_; }
  virtual std::uint32_t serial() const = 0;
  virtual std::size_t record_count() const = 0;
  // Every record of the zone, SOA first, each RRset's records together, owner
  // names lower-cased: for AXFR (RFC 5936 §2.2; the server adds the closing
  // SOA). Materialised on demand so the zone need not keep Records around.
  virtual std::vector<Record> records_for_transfer() const = 0;
  // The apex SOA record alone (NOTIFY, logs) without materialising the zone.
  virtual Record soa_record() const = 0;

 protected:
  explicit Zone(Name origin) : origin_(std::move(origin)) {}
  Name origin_;
};

}  // namespace gslb::dns
