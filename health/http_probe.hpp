// HttpProbe: HTTP/1.1 and HTTPS checks with Beast. One GET of spec.path with a
// Host header; passes when the status is within spec.expect and, if
// spec.body_contains is set, that text occurs within the first
// spec.body_limit bytes of the body. One deadline (spec.timeout) covers
// connect, TLS handshake, write and read; a server that accepts and never
// answers fails with "timeout".
//
// HTTPS: SNI is sent when the name (spec.sni, else spec.host_header) is a DNS
// name (RFC 6066 §3 forbids IP literals). Like Route 53, certificates are not
// validated unless spec.tls_verify is set; then the chain must verify against
// the system CAs (plus Options::ca_file) and the certificate must match the
// SNI name, or the probed address when there is none.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <string>

#include "health/probe.hpp"

namespace gslb::health {

class HttpProbe final : public Probe {
 public:
  struct Options {
    std::string ca_file;                       // extra trusted CAs (PEM) for tls_verify checks; empty for none
    std::size_t header_limit = 16 * 1024;      // bytes of response header accepted
    std::string user_agent = "gslb-health/1";  // so backends can tell probes from traffic in their logs
  };

  // `executor` is the io_context the probes run on; it must outlive every run.
  // Throws std::runtime_error when ca_file cannot be loaded (control plane).
  HttpProbe(boost::asio::any_io_executor executor, Options options);
  explicit HttpProbe(boost::asio::any_io_executor executor) : HttpProbe(std::move(executor), Options{}) {}

  void async_run(const boost::asio::ip::address& address, const CheckSpec& spec, Handler done) override;

 private:
  boost::asio::any_io_executor executor_;
  Options options_;
  boost::asio::ssl::context tls_;
};

// The Host header value for a check: spec.host_header, else the address
// literal ("[::1]" for IPv6), with ":port" unless it is the scheme's default
// (RFC 9110 §7.2).
std::string host_header_for(const boost::asio::ip::address& address, const CheckSpec& spec);

}  // namespace gslb::health
