#include "dns/name.hpp"

#include <cctype>
#include <cstdio>

namespace gslb::dns {

std::size_t Name::label_count() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < wire_.size() && wire_[i] != 0; i += static_cast<std::uint8_t>(wire_[i]) + 1) ++n;
  return n;
}

std::string Name::canonical_key() const {
  std::string key = wire_;
  for (auto& c : key) c = static_cast<char>(dns_tolower(static_cast<std::uint8_t>(c)));
  return key;
}

std::string Name::to_string() const {
  if (is_root()) return ".";
  std::string out;
  std::size_t i = 0;
  while (i < wire_.size() && wire_[i] != 0) {
    const auto len = static_cast<std::uint8_t>(wire_[i]);
    for (std::size_t k = i + 1; k <= i + len && k < wire_.size(); ++k) {
      const auto c = static_cast<std::uint8_t>(wire_[k]);
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c <= 0x20 || c >= 0x7f) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '.';
    i += len + 1;
  }
  return out;
}

bool Name::equals(const Name& other) const {
  if (wire_.size() != other.wire_.size()) return false;
  for (std::size_t i = 0; i < wire_.size(); ++i) {
    if (dns_tolower(static_cast<std::uint8_t>(wire_[i])) != dns_tolower(static_cast<std::uint8_t>(other.wire_[i])))
      return false;
  }
  return true;
}

bool Name::is_subdomain_of(const Name& ancestor) const {
  if (ancestor.wire_.size() > wire_.size()) return false;
  // Walk labels until the remaining suffix has the ancestor's length; it must
  // start on a label boundary to count.
  std::size_t i = 0;
  const std::size_t want = wire_.size() - ancestor.wire_.size();
  while (i < want) {
    i += static_cast<std::uint8_t>(wire_[i]) + 1;
  }
  if (i != want) return false;
  for (std::size_t k = 0; k < ancestor.wire_.size(); ++k) {
    if (dns_tolower(static_cast<std::uint8_t>(wire_[i + k])) !=
        dns_tolower(static_cast<std::uint8_t>(ancestor.wire_[k])))
      return false;
  }
  return true;
}

Name Name::parent() const {
  if (is_root()) return *this;
  const auto len = static_cast<std::uint8_t>(wire_[0]);
  return Name(wire_.substr(len + 1));
}

std::optional<Name> Name::parse(std::string_view text, const Name* origin) {
  if (text == "@") {
    if (origin == nullptr) return std::nullopt;
    return *origin;
  }
  if (text == ".") return Name();
  std::string wire;
  std::string label;
  bool absolute = false;
  auto flush = [&]() -> bool {
    if (label.empty() || label.size() > 63) return false;
    wire += static_cast<char>(label.size());
    wire += label;
    label.clear();
    return true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) return std::nullopt;
      if (i + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
        const int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return std::nullopt;
        label += static_cast<char>(v);
        i += 3;
      } else {
        label += text[++i];
      }
    } else if (c == '.') {
      if (!flush()) return std::nullopt;
      if (i + 1 == text.size()) absolute = true;
    } else {
      label += c;
    }
  }
  if (!label.empty() && !flush()) return std::nullopt;
  if (!absolute) {
    if (origin == nullptr) return std::nullopt;
    wire += origin->wire();
  } else {
    wire += '\0';
  }
  if (wire.size() > max_name_length) return std::nullopt;
  return Name(std::move(wire));
}

}  // namespace gslb::dns
