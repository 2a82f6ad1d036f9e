// Per-query log lines ("client, qname, qtype, rcode, size"), buffered per
// worker so that logging costs one write(2) per batch of packets instead of one
// per query. Only built when --query-log / query_log: true asked for it.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <span>
#include <string>

#include "dns/query_processor.hpp"

namespace gslb::dns {

// Owned by one worker thread; not thread-safe.
class QueryLog {
 public:
  QueryLog();
  ~QueryLog();  // flushes
  QueryLog(const QueryLog&) = delete;
  QueryLog& operator=(const QueryLog&) = delete;

  // Appends one line for a query and its response (empty if none was sent).
  void add(const sockaddr_storage& client, Transport transport, std::span<const std::uint8_t> query,
           std::span<const std::uint8_t> response);
  // Writes buffered lines to stderr; call at the end of each batch.
  void flush();

 private:
  std::string buffer_;
};

// "www.example.com. A" from a query's first question; "?" parts if malformed.
// Bounds-checked: any bytes are safe.
std::string describe_question(std::span<const std::uint8_t> message);
// "NOERROR", "NXDOMAIN", ... from a response header; "-" if there is none.
std::string describe_rcode(std::span<const std::uint8_t> response);

}  // namespace gslb::dns
