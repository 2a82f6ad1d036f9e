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
  // returns nullptr if any is an error.
  static ConstPtr build(const Name& origin, std::vector<Record> records, base::DiagnosticList& diags);

  virtual ~Zone() = default;
  const Name& origin() const { return origin_; }
  virtual std::uint32_t serial() const = 0;
  virtual std::size_t record_count() const = 0;
  // Every record in canonical order, SOA first: for AXFR (RFC 5936 §2.2).
  virtual std::vector<const Record*> records_for_transfer() const = 0;

 protected:
  explicit Zone(Name origin) : origin_(std::move(origin)) {}
  Name origin_;
};

}  // namespace gslb::dns
