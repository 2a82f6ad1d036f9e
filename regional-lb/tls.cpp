#include "regional-lb/tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace gslb::lb {
namespace {

namespace ssl = boost::asio::ssl;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The newest OpenSSL error queue entry as text (and the queue emptied, so a
// later failure on this thread is not blamed on this one).
std::string openssl_error(std::string_view fallback) {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return std::string(fallback);
  const char* reason = ERR_reason_error_string(code);
  return reason ? std::string(reason) : std::string(fallback);
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

// DNS names of a certificate: its subjectAltName dNSName entries; only when it
// has none, the subject's CN (RFC 6125 §6.4.4).
std::vector<std::string> certificate_names(X509* cert) {
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type != GEN_DNS) continue;
      const auto* data = ASN1_STRING_get0_data(gn->d.dNSName);
      names.push_back(lower(std::string_view(reinterpret_cast<const char*>(data),
                                             static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName)))));
    }
    GENERAL_NAMES_free(sans);
  }
  if (names.empty()) {
    X509_NAME* subject = X509_get_subject_name(cert);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index >= 0) {
      const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
      names.push_back(lower(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                                             static_cast<std::size_t>(ASN1_STRING_length(cn)))));
    }
  }
  return names;
}

// Loads a chain and key into ctx; false and *error (naming which half) on failure.
bool use_pair(ssl::context& ctx, std::string_view cert_pem, std::string_view key_pem, std::string* error) {
  boost::system::error_code ec;
  ctx.use_certificate_chain(boost::asio::buffer(cert_pem.data(), cert_pem.size()), ec);
  if (ec) {
    *error = "cert: not a PEM certificate (" + openssl_error(ec.message()) + ")";
    return false;
  }
  // Parsed on its own first: OpenSSL reports a key that does not fit the
  // certificate and one that does not parse through the same call below.
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  EVP_PKEY* parsed = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (parsed == nullptr) {
    *error = "key: not a PEM private key (" + openssl_error("no key found") + ")";
    return false;
  }
  EVP_PKEY_free(parsed);
  ctx.use_private_key(boost::asio::buffer(key_pem.data(), key_pem.size()), ssl::context::pem, ec);
  if (ec) {
    *error = "key: does not match the certificate (" + openssl_error(ec.message()) + ")";
    return false;
  }
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    *error = "key: does not match the certificate (" + openssl_error("key values mismatch") + ")";
    return false;
  }
  return true;
}

// RFC 7301: we speak HTTP/1.1 only; a client offering h2 and http/1.1 gets
// http/1.1, one offering only others gets no ALPN (and decides itself).
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
  static constexpr unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, http11, sizeof http11, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

int on_server_name(SSL* ssl, int*, void* arg) {
  const auto* self = static_cast<const TlsServerContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;
  self->switch_to(ssl, self->select(name));
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::optional<std::vector<std::string>> check_certificate(std::string_view cert_pem, std::string_view key_pem,
                                                          std::string* error) {
  ssl::context ctx(ssl::context::tls_server);
  if (!use_pair(ctx, cert_pem, key_pem, error)) return std::nullopt;
  X509* leaf = SSL_CTX_get0_certificate(ctx.native_handle());
  if (leaf == nullptr) {
    *error = "cert: no certificate in the file";
    return std::nullopt;
  }
  auto names = certificate_names(leaf);
  if (names.empty()) {
    *error = "cert: the certificate names no host (no subjectAltName DNS entry and no CN)";
    return std::nullopt;
  }
  return names;
}

std::shared_ptr<const TlsServerContext> TlsServerContext::create(const TlsConfig& config, std::string* error) {
  auto out = std::make_shared<TlsServerContext>();
  out->handshake_timeout_ = config.handshake_timeout;
  const int min_version = config.min_version == TlsVersion::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
  for (std::size_t i = 0; i < config.certificates.size(); ++i) {
    const TlsCertificate& c = config.certificates[i];
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    // No renegotiation (CVE-2009-3555 family; TLS 1.3 has none) and no
    // compression (CRIME).
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression | ssl::context::single_dh_use);
    SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), min_version);
    SSL_CTX_set_max_proto_version(ctx->native_handle(), TLS1_3_VERSION);
    SSL_CTX_set_alpn_select_cb(ctx->native_handle(), select_alpn, nullptr);
    if (!use_pair(*ctx, c.cert_pem, c.key_pem, error)) {
      *error = c.cert_file + ": " + *error;
      return nullptr;
    }
    for (const auto& name : c.names) {
      if (name.size() > 2 && name[0] == '*' && name[1] == '.') {
        out->wildcard_.emplace(name.substr(2), i);  // the first certificate naming it wins
      } else {
        out->exact_.emplace(name, i);
      }
    }
    out->contexts_.push_back(std::move(ctx));
  }
  if (out->contexts_.empty()) {
    *error = "no certificates";
    return nullptr;
  }
  // The callback sees the object it belongs to; the caller keeps it alive as
  // long as any connection does (sessions hold the shared_ptr).
  SSL_CTX_set_tlsext_servername_callback(out->contexts_.front()->native_handle(), on_server_name);
  SSL_CTX_set_tlsext_servername_arg(out->contexts_.front()->native_handle(), out.get());
  return out;
}

std::size_t TlsServerContext::select(std::string_view server_name) const {
  std::string name = lower(server_name);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (const auto it = exact_.find(name); it != exact_.end()) return it->second;
  const auto dot = name.find('.');
  if (dot != std::string::npos) {
    if (const auto it = wildcard_.find(name.substr(dot + 1)); it != wildcard_.end()) return it->second;
  }
  return 0;
}

void TlsServerContext::switch_to(SSL* ssl, std::size_t index) const {
  if (index != 0 && index < contexts_.size()) SSL_set_SSL_CTX(ssl, contexts_[index]->native_handle());
}

}  // namespace gslb::lb
