// Outgoing NOTIFY (RFC 1996): after a reload changes a zone's serial, tell
// each configured secondary over UDP, with the new SOA in the answer section
// (§3.7), retrying with a doubling timeout until a NOTIFY response with the
// same ID comes back (§3.6) or the attempts run out.
//
// Runs on the control io_context, never on a query worker.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/net_util.hpp"
#include "dns/zone.hpp"

namespace gslb::dns {

struct NotifyOptions {
  std::vector<base::SocketAddress> targets;
  unsigned attempts = 5;
  std::chrono::milliseconds first_timeout{1000};  // doubled after each unanswered attempt
};

class Notifier {
 public:
  Notifier(boost::asio::io_context& io, NotifyOptions options);

  // Control thread. Starts notifying every target about `zone`; a newer call
  // for the same zone supersedes retries still running for an older serial.
  void notify(Zone::ConstPtr zone);

  bool enabled() const { return !options_.targets.empty(); }

 private:
  struct Task;
  boost::asio::io_context& io_;
  NotifyOptions options_;
  std::map<std::string, std::uint64_t> generation_;  // zone origin key → newest notify round
};

// The NOTIFY request for `zone` with message ID `id`: QR=0, opcode NOTIFY, AA,
// question (origin, SOA, IN), answer = the zone's SOA.
std::vector<std::uint8_t> build_notify(std::uint16_t id, const Zone& zone);

// True if `message` is the response to the NOTIFY with ID `id` (QR=1, opcode
// NOTIFY); `rcode` receives its RCODE.
bool is_notify_response(std::span<const std::uint8_t> message, std::uint16_t id, unsigned& rcode);

}  // namespace gslb::dns
