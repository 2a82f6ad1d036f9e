#include "dns/rdata_text.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "dns/rr_types.hpp"

namespace gslb::dns {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Decodes one backslash escape starting at text[i] == '\\' (RFC 1035 §5.1:
// \X is X, \DDD is the octet DDD). Advances i past it. False if malformed.
bool decode_escape(std::string_view text, std::size_t& i, std::uint8_t& octet) {
  if (i + 1 >= text.size()) return false;
  if (is_digit(text[i + 1])) {
    if (i + 3 >= text.size()) return false;
    if (!is_digit(text[i + 2]) || !is_digit(text[i + 3])) return false;
    const int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
    if (v > 255) return false;
    octet = static_cast<std::uint8_t>(v);
    i += 4;
    return true;
  }
  octet = static_cast<std::uint8_t>(text[i + 1]);
  i += 2;
  return true;
}

void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

bool put_name(std::vector<std::uint8_t>& out, const ZoneToken& token, std::string_view origin_wire) {
  if (token.quoted) return false;
  std::uint8_t buf[max_name_length];
  const std::size_t len = name_to_wire(token.text, origin_wire, buf);
  if (len == 0) return false;
  out.insert(out.end(), buf, buf + len);
  return true;
}

bool put_number(std::vector<std::uint8_t>& out, const ZoneToken& token, int bytes) {
  if (token.quoted) return false;
  std::uint32_t v = 0;
  if (!parse_decimal(token.text, bytes == 2 ? 0xffffu : 0xffffffffu, v)) return false;
  if (bytes == 2) {
    put16(out, v);
  } else {
    put32(out, v);
  }
  return true;
}

// One <character-string> (RFC 1035 §3.3): a length octet and up to 255 octets.
bool put_char_string(std::vector<std::uint8_t>& out, const ZoneToken& token) {
  std::string_view text = token.text;
  if (token.quoted) text = text.substr(1, text.size() - 2);
  const std::size_t length_at = out.size();
  out.push_back(0);
  for (std::size_t i = 0; i < text.size();) {
    std::uint8_t octet;
    if (text[i] == '\\') {
      if (!decode_escape(text, i, octet)) return false;
    } else {
      octet = static_cast<std::uint8_t>(text[i++]);
    }
    out.push_back(octet);
  }
  const std::size_t length = out.size() - length_at - 1;
  if (length > 255) return false;
  out[length_at] = static_cast<std::uint8_t>(length);
  return true;
}

bool put_address(std::vector<std::uint8_t>& out, const ZoneToken& token, int family) {
  // inet_pton needs a terminated string; addresses are short.
  if (token.quoted || token.text.size() >= 64) return false;
  char text[64];
  std::memcpy(text, token.text.data(), token.text.size());
  text[token.text.size()] = '\0';
  std::uint8_t addr[16];
  if (inet_pton(family, text, addr) != 1) return false;
  out.insert(out.end(), addr, addr + (family == AF_INET ? 4 : 16));
  return true;
}

bool convert(std::uint16_t type, std::span<const ZoneToken> f, std::string_view origin,
             std::vector<std::uint8_t>& out) {
  switch (type) {
    case rr_type::a:
      return f.size() == 1 && put_address(out, f[0], AF_INET);
    case rr_type::aaaa:
      return f.size() == 1 && put_address(out, f[0], AF_INET6);
    case rr_type::ns:
    case rr_type::cname:
    case rr_type::ptr:
      return f.size() == 1 && put_name(out, f[0], origin);
    case rr_type::mx:
      return f.size() == 2 && put_number(out, f[0], 2) && put_name(out, f[1], origin);
    case rr_type::srv:
      return f.size() == 4 && put_number(out, f[0], 2) && put_number(out, f[1], 2) && put_number(out, f[2], 2) &&
             put_name(out, f[3], origin);
    case rr_type::soa:
      // RFC 1035 §3.3.13. Only plain decimal timers: ldns owns unit syntax there.
      if (f.size() != 7 || !put_name(out, f[0], origin) || !put_name(out, f[1], origin)) return false;
      for (std::size_t i = 2; i < 7; ++i) {
        if (!put_number(out, f[i], 4)) return false;
      }
      return true;
    case rr_type::txt:
      if (f.empty()) return false;
      for (const auto& token : f) {
        if (!put_char_string(out, token)) return false;
      }
      return true;
    default:
      return false;
  }
}

}  // namespace

std::size_t name_to_wire(std::string_view text, std::string_view origin_wire, std::uint8_t (&buf)[max_name_length]) {
  if (text.empty()) return 0;
  if (text == "@") {
    if (origin_wire.empty() || origin_wire.size() > max_name_length) return 0;
    std::memcpy(buf, origin_wire.data(), origin_wire.size());
    return origin_wire.size();
  }
  if (text == ".") {
    buf[0] = 0;
    return 1;
  }
  std::size_t len = 0;
  std::size_t label_at = 0;
  bool absolute = false;
  // Reserve the label's length octet; it is filled when the label ends.
  buf[len++] = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '.') {
      const std::size_t label_len = len - label_at - 1;
      if (label_len == 0 || label_len > 63) return 0;  // RFC 1035 §2.3.4
      buf[label_at] = static_cast<std::uint8_t>(label_len);
      ++i;
      if (i == text.size()) {
        absolute = true;
        break;
      }
      if (len >= max_name_length) return 0;
      label_at = len;
      buf[len++] = 0;
      continue;
    }
    std::uint8_t octet;
    if (c == '\\') {
      if (!decode_escape(text, i, octet)) return 0;
    } else {
      octet = static_cast<std::uint8_t>(c);
      ++i;
    }
    if (len >= max_name_length) return 0;
    buf[len++] = octet;
  }
  if (absolute) {
    if (len >= max_name_length) return 0;
    buf[len++] = 0;
    return len;
  }
  const std::size_t label_len = len - label_at - 1;
  if (label_len == 0 || label_len > 63) return 0;
  buf[label_at] = static_cast<std::uint8_t>(label_len);
  if (origin_wire.empty() || len + origin_wire.size() > max_name_length) return 0;
  std::memcpy(buf + len, origin_wire.data(), origin_wire.size());
  return len + origin_wire.size();
}

bool parse_decimal(std::string_view text, std::uint32_t max, std::uint32_t& out) {
  if (text.empty() || text.size() > 10) return false;
  std::uint64_t v = 0;
  for (const char c : text) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool parse_ttl(std::string_view text, std::uint32_t& out) {
  if (text.empty() || !is_digit(text[0])) return false;
  std::uint64_t total = 0;
  std::uint64_t number = 0;
  bool have_number = false;
  for (const char c : text) {
    if (is_digit(c)) {
      number = number * 10 + static_cast<std::uint64_t>(c - '0');
      if (number > 0xffffffffULL) return false;
      have_number = true;
      continue;
    }
    std::uint64_t unit = 0;
    switch (c) {
      case 's':
      case 'S':
        unit = 1;
        break;
      case 'm':
      case 'M':
        unit = 60;
        break;
      case 'h':
      case 'H':
        unit = 3600;
        break;
      case 'd':
      case 'D':
        unit = 86400;
        break;
      case 'w':
      case 'W':
        unit = 604800;
        break;
      default:
        return false;
    }
    if (!have_number) return false;
    total += number * unit;
    if (total > 0xffffffffULL) return false;
    number = 0;
    have_number = false;
  }
  total += number;
  if (total > 0xffffffffULL) return false;
  out = static_cast<std::uint32_t>(total);
  return true;
}

bool fast_rdata_to_wire(std::uint16_t type, std::span<const ZoneToken> fields, std::string_view origin_wire,
                        std::vector<std::uint8_t>& out) {
  const std::size_t size_on_entry = out.size();
  if (convert(type, fields, origin_wire, out)) return true;
  out.resize(size_on_entry);
  return false;
}

}  // namespace gslb::dns
