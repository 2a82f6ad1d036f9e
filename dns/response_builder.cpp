#include "dns/response_builder.hpp"

#include <cstring>

#include "dns/name.hpp"
#include "dns/rr_types.hpp"

namespace gslb::dns {

bool ResponseBuilder::start(std::uint8_t* out, std::size_t limit, std::size_t reserve, const WireQuery& q,
                            bool with_question) {
  out_ = out;
  pos_ = 0;
  counts_[0] = counts_[1] = counts_[2] = 0;
  suffix_count_ = 0;
  scratch_used_ = 0;
  const std::size_t question = with_question ? q.qname_length + 4 : 0;
  if (limit < header_size + question + reserve) return false;
  limit_ = limit - reserve;
  write_u16(out_, q.id);
  // QR=1, opcode and RD as asked; AA/TC/RCODE are set by finish(). RFC 1035
  // §4.1.1; RA stays 0 (no recursion); CD is copied (RFC 4035 §3.1.6).
  out_[2] = static_cast<std::uint8_t>(0x80 | (q.flags1 & 0x79));
  out_[3] = static_cast<std::uint8_t>(q.flags2 & 0x10);
  write_u16(out_ + 4, with_question ? 1 : 0);
  pos_ = header_size;
  if (with_question) {
    std::memcpy(out_ + pos_, q.qname, q.qname_length);
    // The qname's suffixes are what most owners compress against.
    std::size_t i = 0;
    while (q.qname_lower[i] != 0 && suffix_count_ < max_suffixes) {
      suffixes_[suffix_count_++] = {q.qname_lower + i, static_cast<std::uint16_t>(header_size + i),
                                    static_cast<std::uint8_t>(q.qname_length - i)};
      i += std::size_t{q.qname_lower[i]} + 1;
    }
    pos_ += q.qname_length;
    write_u16(out_ + pos_, q.qtype);
    write_u16(out_ + pos_ + 2, q.qclass);
    pos_ += 4;
  }
  return true;
}

bool ResponseBuilder::write_name(const std::uint8_t* original, const std::uint8_t* lower, std::size_t length) {
  // Find the longest suffix already in the packet.
  std::size_t i = 0;
  std::uint16_t pointer = 0;
  while (lower[i] != 0) {
    const std::size_t rest = length - i;
    for (std::size_t k = 0; k < suffix_count_; ++k) {
      const Suffix& s = suffixes_[k];
      if (s.length == rest && same_bytes(s.lower, lower + i, rest)) {
        pointer = static_cast<std::uint16_t>(0xc000 | s.offset);
        break;
      }
    }
    if (pointer != 0) break;
    i += std::size_t{lower[i]} + 1;
  }
  const std::size_t need = pointer != 0 ? i + 2 : length;
  if (pos_ + need > limit_) return false;
  // Remember the new suffixes written here (pointers reach 14 bits only).
  for (std::size_t j = 0; j < i && suffix_count_ < max_suffixes && pos_ + j < 0x4000; j += std::size_t{lower[j]} + 1) {
    suffixes_[suffix_count_++] = {lower + j, static_cast<std::uint16_t>(pos_ + j),
                                  static_cast<std::uint8_t>(length - j)};
  }
  if (pointer != 0) {
    std::memcpy(out_ + pos_, original, i);
    write_u16(out_ + pos_ + i, pointer);
  } else {
    std::memcpy(out_ + pos_, original, length);
  }
  pos_ += need;
  return true;
}

bool ResponseBuilder::write_rdata_name(const std::uint8_t* original, std::size_t length) {
  // The canonical copy must outlive this call (suffix entries point at it).
  const std::uint8_t* lower;
  if (scratch_used_ + length <= scratch_size) {
    std::uint8_t* dst = scratch_ + scratch_used_;
    copy_lower(dst, original, length);
    scratch_used_ += length;
    lower = dst;
  } else {
    // Out of scratch: write it uncompressed and remember nothing.
    if (pos_ + length > limit_) return false;
    std::memcpy(out_ + pos_, original, length);
    pos_ += length;
    return true;
  }
  return write_name(original, lower, length);
}

bool ResponseBuilder::write_rdata(std::uint16_t type, const std::uint8_t* rdata, std::size_t rdlength) {
  // RFC 3597 §4: only the RFC 1035 types may carry compressed names; of
  // those we compress NS, CNAME, PTR, MX and SOA. Everything else is opaque.
  std::size_t prefix = 0;  // octets before the (first) name
  int names = 1;
  switch (type) {
    case rr_type::ns:
    case rr_type::cname:
    case rr_type::ptr:
      break;
    case rr_type::mx:
      prefix = 2;
      break;
    case rr_type::soa:
      names = 2;
      break;
    default:
      names = 0;
  }
  if (names != 0 && rdlength > prefix) {
    const std::size_t start = pos_;
    const std::size_t saved_suffixes = suffix_count_;
    if (pos_ + prefix > limit_) return false;
    std::memcpy(out_ + pos_, rdata, prefix);
    pos_ += prefix;
    std::size_t at = prefix;
    for (int k = 0; k < names; ++k) {
      const std::size_t n = wire_name_length(rdata + at, rdlength - at);
      if (n == 0) {  // not a name after all: emit the rest as is
        pos_ = start;
        suffix_count_ = saved_suffixes;
        at = 0;
        break;
      }
      if (!write_rdata_name(rdata + at, n)) return false;
      at += n;
    }
    const std::size_t rest = rdlength - at;
    if (pos_ + rest > limit_) return false;
    std::memcpy(out_ + pos_, rdata + at, rest);
    pos_ += rest;
    return true;
  }
  if (pos_ + rdlength > limit_) return false;
  std::memcpy(out_ + pos_, rdata, rdlength);
  pos_ += rdlength;
  return true;
}

bool ResponseBuilder::add(Section section, const ZoneData& zone, const SectionEntry& e) {
  if (e.rrset == nullptr) return add_synthesized_cname(section, e);
  const std::size_t saved_pos = pos_;
  const std::size_t saved_suffixes = suffix_count_;
  const std::size_t saved_scratch = scratch_used_;
  const ZoneRRset& s = *e.rrset;
  const std::uint8_t* p = zone.rdata(s);
  std::uint8_t owner_pointer[2] = {0, 0};
  for (std::uint16_t c = 0; c < s.count; ++c) {
    const std::uint16_t rdlength = read_u16(p);
    const std::uint8_t* rd = p + 2;
    p += 2 + std::size_t{rdlength};
    // Every RR of the set has the same owner: write it once, point after.
    if (c == 0) {
      const std::size_t at = pos_;
      if (!write_name(e.owner, e.owner, e.owner_length)) goto rollback;
      if ((out_[at] & 0xc0) == 0xc0) {
        owner_pointer[0] = out_[at];
        owner_pointer[1] = out_[at + 1];
      } else if (at < 0x4000) {
        owner_pointer[0] = static_cast<std::uint8_t>(0xc0 | (at >> 8));
        owner_pointer[1] = static_cast<std::uint8_t>(at);
      }
    } else if (owner_pointer[0] != 0) {
      if (pos_ + 2 > limit_) goto rollback;
      out_[pos_] = owner_pointer[0];
      out_[pos_ + 1] = owner_pointer[1];
      pos_ += 2;
    } else if (!write_name(e.owner, e.owner, e.owner_length)) {
      goto rollback;
    }
    if (pos_ + 10 > limit_) goto rollback;
    write_u16(out_ + pos_, s.type);
    write_u16(out_ + pos_ + 2, rr_class::in);
    write_u32(out_ + pos_ + 4, e.ttl);
    {
      const std::size_t rdlength_at = pos_ + 8;
      pos_ += 10;
      const std::size_t rdata_start = pos_;
      if (!write_rdata(s.type, rd, rdlength)) goto rollback;
      write_u16(out_ + rdlength_at, static_cast<std::uint16_t>(pos_ - rdata_start));
    }
  }
  counts_[section] = static_cast<std::uint16_t>(counts_[section] + s.count);
  return true;
rollback:
  pos_ = saved_pos;
  suffix_count_ = saved_suffixes;
  scratch_used_ = saved_scratch;
  return false;
}

bool ResponseBuilder::add_synthesized_cname(Section section, const SectionEntry& e) {
  const std::size_t saved_pos = pos_;
  const std::size_t saved_suffixes = suffix_count_;
  const std::size_t saved_scratch = scratch_used_;
  if (write_name(e.owner, e.owner, e.owner_length) && pos_ + 10 <= limit_) {
    write_u16(out_ + pos_, rr_type::cname);
    write_u16(out_ + pos_ + 2, rr_class::in);
    write_u32(out_ + pos_ + 4, e.ttl);
    const std::size_t rdlength_at = pos_ + 8;
    pos_ += 10;
    const std::size_t rdata_start = pos_;
    if (write_rdata(rr_type::cname, e.synthesized, e.synthesized_length)) {
      write_u16(out_ + rdlength_at, static_cast<std::uint16_t>(pos_ - rdata_start));
      ++counts_[section];
      return true;
    }
  }
  pos_ = saved_pos;
  suffix_count_ = saved_suffixes;
  scratch_used_ = saved_scratch;
  return false;
}

bool ResponseBuilder::add_rr(Section section, const std::uint8_t* owner, std::size_t owner_length, std::uint16_t type,
                             std::uint16_t rclass, std::uint32_t ttl, const std::uint8_t* rdata, std::size_t rdlength) {
  const std::size_t saved_pos = pos_;
  const std::size_t saved_suffixes = suffix_count_;
  if (!write_name(owner, owner, owner_length) || pos_ + 10 + rdlength > limit_) {
    pos_ = saved_pos;
    suffix_count_ = saved_suffixes;
    return false;
  }
  write_u16(out_ + pos_, type);
  write_u16(out_ + pos_ + 2, rclass);
  write_u32(out_ + pos_ + 4, ttl);
  write_u16(out_ + pos_ + 8, static_cast<std::uint16_t>(rdlength));
  std::memcpy(out_ + pos_ + 10, rdata, rdlength);
  pos_ += 10 + rdlength;
  ++counts_[section];
  return true;
}

std::size_t ResponseBuilder::finish(std::uint8_t rcode, bool aa, bool tc, const std::uint8_t* opt,
                                    std::size_t opt_length) {
  if (aa) out_[2] |= 0x04;
  if (tc) out_[2] |= 0x02;
  out_[3] = static_cast<std::uint8_t>((out_[3] & 0xf0) | (rcode & 0x0f));
  write_u16(out_ + 6, counts_[answer]);
  write_u16(out_ + 8, counts_[authority]);
  std::uint16_t arcount = counts_[additional];
  if (opt != nullptr) {
    std::memcpy(out_ + pos_, opt, opt_length);
    pos_ += opt_length;
    ++arcount;
  }
  write_u16(out_ + 10, arcount);
  return pos_;
}

std::size_t truncate_to_question(std::uint8_t* response, std::size_t size) {
  constexpr std::size_t header = 12;
  if (size < header || response[4] != 0 || response[5] != 1) return 0;  // QDCOUNT must be 1
  // The question name is written uncompressed.
  const std::size_t name = wire_name_length(response + header, size - header);
  if (name == 0) return 0;
  const std::size_t pos = header + name + 4;  // QTYPE, QCLASS
  if (pos > size) return 0;
  response[2] |= 0x02;              // TC
  std::memset(response + 6, 0, 6);  // ANCOUNT, NSCOUNT, ARCOUNT
  return pos;
}

}  // namespace gslb::dns
