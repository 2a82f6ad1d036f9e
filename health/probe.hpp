// Probe: run one health check of one address, once, asynchronously. A probe
// reports {ok, rtt, detail} and nothing else; deciding up/down from a series
// of results is StateMachine's job, publishing it is Scheduler's (STYLE.md
// habit 6: probe / state machine / consumer are separate).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "health/check_spec.hpp"

namespace gslb::health {

struct ProbeResult {
  bool ok = false;
  // Time to establish the TCP connection, i.e. one network round trip (the
  // SYN/SYN-ACK exchange). Zero when the connection was never established.
  // Server processing time is deliberately excluded: latency steering ranks
  // regions by distance on the network, not by how busy a handler is.
  std::chrono::microseconds rtt{0};
  // Human-readable, one line: "HTTP 200", "connect: Connection refused",
  // "timeout after 500ms (reading response)".
  std::string detail;
};

class Probe {
 public:
  using Handler = std::function<void(ProbeResult)>;

  virtual ~Probe() = default;

  // Starts one check of `address` as `spec` says. `done` is called exactly
  // once, on the thread running the probe's io_context, no later than about
  // spec.timeout after the call (the deadline covers every step).
  // Preconditions: validate(spec) is empty and spec.type is one this probe
  // handles. Thread: the io_context's thread, or before that context runs.
  // The probe object must outlive every run it started.
  virtual void async_run(const boost::asio::ip::address& address, const CheckSpec& spec, Handler done) = 0;
};

}  // namespace gslb::health
