#include "dns/axfr.hpp"

#include <cstring>

namespace gslb::dns {

namespace {

constexpr std::size_t header_size = 12;
constexpr std::size_t max_message = 65535;

void put16(std::vector<std::uint8_t>& out, std::size_t at, std::size_t value) {
  out[at] = static_cast<std::uint8_t>(value >> 8);
  out[at + 1] = static_cast<std::uint8_t>(value);
}

void append16(std::vector<std::uint8_t>& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

std::size_t encoded_size(const Record& r) {
  return r.owner.size() + 10 + r.rdata.size();
}

void append_record(std::vector<std::uint8_t>& out, const Record& r) {
  const auto& owner = r.owner.wire();
  out.insert(out.end(), owner.begin(), owner.end());
  append16(out, r.type);
  append16(out, r.rclass);
  append16(out, r.ttl >> 16);
  append16(out, r.ttl & 0xFFFF);
  append16(out, static_cast<std::uint32_t>(r.rdata.size()));
  out.insert(out.end(), r.rdata.begin(), r.rdata.end());
}

}  // namespace

bool axfr_allowed(const std::vector<base::AddressPrefix>& allow, const sockaddr_storage& client) {
  for (const auto& prefix : allow)
    if (prefix.contains(client)) return true;
  return false;
}

std::size_t question_length(std::span<const std::uint8_t> message) {
  if (message.size() < header_size || ((message[4] << 8) | message[5]) == 0) return 0;
  std::size_t i = header_size;
  for (;;) {
    if (i >= message.size()) return 0;
    const std::uint8_t len = message[i];
    if (len == 0) break;
    if (len > 63) return 0;  // compression pointers cannot occur in a lone question
    i += len + 1u;
    if (i - header_size > 255) return 0;
  }
  i += 1 + 4;  // root label, QTYPE, QCLASS
  if (i > message.size()) return 0;
  return i - header_size;
}

AxfrWriter::AxfrWriter(std::span<const std::uint8_t> query, const Zone& zone, std::size_t message_limit)
    : records_(zone.records_for_transfer()), message_limit_(message_limit) {
  question_size_ = question_length(query);
  if (question_size_ == 0 || records_.empty()) return;
  prefix_.assign(query.begin(), query.begin() + static_cast<std::ptrdiff_t>(header_size + question_size_));
  // RFC 5936 §2.2.1: ID copied, QR=1, opcode QUERY, AA=1, RD copied, rest 0.
  prefix_[2] = static_cast<std::uint8_t>(0x84 | (query[2] & 0x01));
  prefix_[3] = 0;
  std::memset(prefix_.data() + 4, 0, 8);
}

bool AxfrWriter::next(std::vector<std::uint8_t>& out) {
  out.clear();
  const std::size_t total = records_.size() + 1;  // the closing SOA
  if (!valid() || position_ >= total) return false;
  const bool first = position_ == 0;
  out.push_back(0);
  out.push_back(0);
  if (first) {
    out.insert(out.end(), prefix_.begin(), prefix_.end());
    out[2 + 5] = 1;  // QDCOUNT 1 in the first message only (RFC 5936 §2.2.1)
  } else {
    out.insert(out.end(), prefix_.begin(), prefix_.begin() + header_size);
  }
  std::size_t count = 0;
  while (position_ < total) {
    const Record& r = records_[position_ < records_.size() ? position_ : 0];
    const std::size_t size = encoded_size(r);
    const std::size_t used = out.size() - 2;
    // A record always goes into an empty message (it may then exceed the
    // soft limit); otherwise only while it fits.
    if (count > 0 && (used + size > message_limit_ || used + size > max_message)) break;
    if (used + size > max_message) return false;  // cannot be encoded at all; the loader never makes such a record
    append_record(out, r);
    ++count;
    ++position_;
  }
  put16(out, 2 + 6, count);       // ANCOUNT
  put16(out, 0, out.size() - 2);  // TCP length prefix
  return true;
}

}  // namespace gslb::dns
