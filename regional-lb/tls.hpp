// TLS termination for listeners (OpenSSL through Asio). Two halves:
//
//  - check_certificate: what the config loader runs on every configured
//    certificate/key pair (PEM text as read from disk): both parse, the key
//    belongs to the certificate, and the DNS names it serves (SAN dNSName
//    entries, else the subject CN) — so `gslb lb --check` and `gslb check`
//    catch a bad pair with the file:line of its `cert:` or `key:` key.
//  - TlsServerContext: the SSL contexts of one listener, built from a
//    validated TlsConfig. Each certificate has its own SSL_CTX; the first is
//    the one connections start with, and its SNI callback switches to the
//    certificate whose names match the client's server_name: an exact name
//    first, then a wildcard (`*.example.com` covers one label), else the first
//    certificate (RFC 6066 §3 lets the server pick when nothing matches).
//
// Immutable after construction; shared by every connection of the listener
// (OpenSSL's SSL_CTX is safe to share between threads once configured).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "regional-lb/config.hpp"

namespace gslb::lb {

// Validates a certificate chain + private key (PEM). Returns the lower-case
// DNS names the certificate is for; nullopt and *error set otherwise. Any thread.
std::optional<std::vector<std::string>> check_certificate(std::string_view cert_pem, std::string_view key_pem,
                                                          std::string* error);

class TlsServerContext {
 public:
  // config was validated by the loader (every pair passed check_certificate).
  // Returns null with *error set if OpenSSL still refuses something.
  static std::shared_ptr<const TlsServerContext> create(const TlsConfig& config, std::string* error);

  // The context a new connection starts with (the first certificate's).
  boost::asio::ssl::context& initial() const { return *contexts_.front(); }
  base::Duration handshake_timeout() const { return handshake_timeout_; }

  // Index of the certificate serving server_name (see above); 0 by default.
  std::size_t select(std::string_view server_name) const;
  // Moves a handshaking connection to certificate index (the SNI callback).
  void switch_to(SSL* ssl, std::size_t index) const;

  TlsServerContext() = default;  // use create()

 private:
  std::vector<std::unique_ptr<boost::asio::ssl::context>> contexts_;
  std::unordered_map<std::string, std::size_t> exact_;     // "www.example.com" → certificate
  std::unordered_map<std::string, std::size_t> wildcard_;  // "example.com" for "*.example.com"
  base::Duration handshake_timeout_{10'000};
};

}  // namespace gslb::lb
