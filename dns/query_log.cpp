#include "dns/query_log.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "base/net_util.hpp"

namespace gslb::dns {

namespace {

// Stay below PIPE_BUF so that each flush is one atomic write even to a pipe
// shared with other threads' log lines.
constexpr std::size_t flush_threshold = 3072;

const char* type_name(std::uint16_t type) {
  switch (type) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 33:
      return "SRV";
    case 35:
      return "NAPTR";
    case 43:
      return "DS";
    case 48:
      return "DNSKEY";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 99:
      return "SPF";
    case 251:
      return "IXFR";
    case 252:
      return "AXFR";
    case 255:
      return "ANY";
    case 257:
      return "CAA";
    default:
      return nullptr;
  }
}

void write_all(const std::string& text) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // a closed stderr must not stop the server
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string describe_question(std::span<const std::uint8_t> message) {
  // RFC 1035 §4.1.2: the question starts after the 12-byte header.
  if (message.size() < 12 || ((message[4] << 8) | message[5]) == 0) return "? ?";
  std::string name;
  std::size_t i = 12;
  for (;;) {
    if (i >= message.size()) return "? ?";
    const std::uint8_t len = message[i];
    if (len == 0) break;
    if (len > 63 || i + 1 + len > message.size() || name.size() > 255) return "? ?";  // compression has no place here
    for (std::size_t k = i + 1; k <= i + len; ++k) {
      const auto c = static_cast<char>(message[k]);
      if (c == '.' || c == '\\' || message[k] <= 0x20 || message[k] >= 0x7f) {
        char escaped[5];
        std::snprintf(escaped, sizeof escaped, "\\%03u", message[k]);
        name += escaped;
      } else {
        name += c;
      }
    }
    name += '.';
    i += len + 1u;
  }
  if (name.empty()) name = ".";
  if (i + 5 > message.size()) return name + " ?";
  const auto type = static_cast<std::uint16_t>((message[i + 1] << 8) | message[i + 2]);
  const char* known = type_name(type);
  return name + ' ' + (known != nullptr ? std::string(known) : "TYPE" + std::to_string(type));
}

std::string describe_rcode(std::span<const std::uint8_t> response) {
  if (response.size() < 12) return "-";
  static const char* const names[] = {"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                      "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
  const unsigned rcode = response[3] & 0x0F;
  return rcode < std::size(names) ? names[rcode] : "RCODE" + std::to_string(rcode);
}

QueryLog::QueryLog() {
  buffer_.reserve(flush_threshold + 512);
}

QueryLog::~QueryLog() {
  flush();
}

void QueryLog::add(const sockaddr_storage& client, Transport transport, std::span<const std::uint8_t> query,
                   std::span<const std::uint8_t> response) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[48];
  const auto n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(millis));
  const base::SocketAddress from(reinterpret_cast<const sockaddr*>(&client), sizeof client);
  buffer_ += stamp;
  buffer_ += " info query: ";
  buffer_ += from.to_string();
  buffer_ += transport == Transport::udp ? " udp " : " tcp ";
  buffer_ += describe_question(query);
  buffer_ += ' ';
  buffer_ += describe_rcode(response);
  buffer_ += ' ';
  buffer_ += std::to_string(response.size());
  buffer_ += '\n';
  if (buffer_.size() >= flush_threshold) flush();
}

void QueryLog::flush() {
  if (buffer_.empty()) return;
  write_all(buffer_);
  buffer_.clear();
}

}  // namespace gslb::dns
