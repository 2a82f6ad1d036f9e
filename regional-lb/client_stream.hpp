// The downstream byte stream of a session: plain TCP, or TLS over TCP after
// start_tls(). One type for both, chosen at run time, so the proxy path
// (proxy.cpp) is written once; the cost on plain connections is one
// predictable branch per read or write.
//
// Meets Asio's AsyncReadStream/AsyncWriteStream requirements, so Beast's
// HTTP read/write operations work on it. Timeouts are the TCP layer's
// (beast::tcp_stream::expires_after), which also bound the TLS handshake.
// Worker thread only, like the session that owns it.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <utility>

namespace gslb::lb {

class ClientStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  explicit ClientStream(boost::asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}

  executor_type get_executor() { return tcp().get_executor(); }
  boost::beast::tcp_stream& tcp() { return tls_ ? boost::beast::get_lowest_layer(*tls_) : plain_; }
  boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }
  template <class Duration>
  void expires_after(Duration d) {
    tcp().expires_after(d);
  }

  bool is_tls() const { return tls_ != nullptr; }
  // Switches to TLS (before any byte was read); the handshake is then
  // tls().async_handshake(server, ...). ctx must outlive the stream.
  TlsStream& start_tls(boost::asio::ssl::context& ctx) {
    tls_ = std::make_unique<TlsStream>(std::move(plain_), ctx);
    return *tls_;
  }
  TlsStream& tls() { return *tls_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (tls_) {
            tls_->async_read_some(b, std::move(handler));
          } else {
            plain_.async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (tls_) {
            tls_->async_write_some(b, std::move(handler));
          } else {
            plain_.async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

 private:
  boost::beast::tcp_stream plain_;  // moved into tls_ by start_tls()
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace gslb::lb
