// TcpProbe: a check that passes when a TCP connection to address:spec.port is
// established within spec.timeout. The connection is closed at once (no data).
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "health/probe.hpp"

namespace gslb::health {

class TcpProbe final : public Probe {
 public:
  // `executor` is the io_context the probes run on; it must outlive every run.
  explicit TcpProbe(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  void async_run(const boost::asio::ip::address& address, const CheckSpec& spec, Handler done) override;

 private:
  boost::asio::any_io_executor executor_;
};

}  // namespace gslb::health
