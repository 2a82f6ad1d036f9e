// `gslb status`: the health table of a running `gslb serve`, fetched from its
// admin API (GET /status?format=text).
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "base/net_util.hpp"
#include "gslb/cli/command.hpp"
#include "gslb/config.hpp"

namespace gslb::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::string_view kDefaultAdmin = "127.0.0.1:8053";

constexpr std::string_view usage_text =
    R"(usage: gslb status [--admin IP:PORT | -c gslb.yaml] [--json]

Prints every GSLB member of a running `gslb serve` with its state (up, down,
drain), the probed state, an operator override, since when, the smoothed
probe RTT and the last probe's detail. Asks the server's admin API at
--admin, else at the config file's admin:, else at 127.0.0.1:8053. The
bearer token comes from $GSLB_ADMIN_TOKEN, else the config's admin_token.
--json prints the API's JSON instead of the table.
Exit codes: 0 ok, 1 the server could not be asked or refused, 2 usage.
)";

struct Fetched {
  std::string error;  // "" when a response came
  unsigned status = 0;
  std::string body;
};

// One GET with a 5 s deadline over the whole exchange.
Fetched fetch(const base::SocketAddress& address, const std::string& target, const std::string& token) {
  Fetched out;
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, address.to_string());
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  request.keep_alive(false);
  http::response<http::string_body> response;
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.address_string(), ec);
  if (ec) {
    out.error = ec.message();
    return out;
  }
  stream.expires_after(std::chrono::seconds(5));
  stream.async_connect(asio::ip::tcp::endpoint(ip, address.port()), [&](boost::system::error_code e) {
    if (e) {
      out.error = "connect: " + e.message();
      return;
    }
    http::async_write(stream, request, [&](boost::system::error_code e2, std::size_t) {
      if (e2) {
        out.error = "write: " + e2.message();
        return;
      }
      http::async_read(stream, buffer, response, [&](boost::system::error_code e3, std::size_t) {
        if (e3) out.error = "read: " + e3.message();
      });
    });
  });
  io.run();
  if (out.error.empty()) {
    out.status = response.result_int();
    out.body = std::move(response.body());
  }
  return out;
}

int run_status(const Args& args) {
  std::optional<std::string> admin, config_file;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << usage_text;
      return exit_ok;
    }
    if (arg == "--json") {
      json = true;
    } else if (arg == "--admin" || arg == "-c" || arg == "--config") {
      if (i + 1 >= args.size()) return usage_error("status", arg + " needs a value");
      (arg == "--admin" ? admin : config_file) = args[++i];
    } else {
      return usage_error("status", "unexpected argument '" + arg + "'");
    }
  }
  std::optional<base::SocketAddress> address;
  std::string token;
  if (config_file) {
    base::DiagnosticList diags;
    auto config = policy::load_serve_config(*config_file, diags);
    diags.print(std::cerr);
    if (!config) return exit_invalid;
    address = config->admin;
    token = config->admin_token;
  }
  if (admin) {
    address = base::SocketAddress::parse(*admin);
    if (!address) return usage_error("status", "--admin: '" + *admin + "' is not IP:PORT (e.g. 127.0.0.1:8053)");
  }
  if (!address) address = base::SocketAddress::parse(kDefaultAdmin);
  if (const char* env = std::getenv("GSLB_ADMIN_TOKEN"); env && *env) token = env;

  const Fetched got = fetch(*address, json ? "/status" : "/status?format=text", token);
  if (!got.error.empty()) {
    std::cerr << "gslb status: cannot ask the admin API at " << address->to_string() << ": " << got.error
              << " (is `gslb serve --admin " << address->to_string() << "` running?)\n";
    return exit_invalid;
  }
  if (got.status != 200) {
    std::cerr << "gslb status: " << address->to_string() << " answered HTTP " << got.status << ": " << got.body;
    return exit_invalid;
  }
  std::cout << got.body;
  return exit_ok;
}

const Registration registration{
    {"status", "status [--admin IP:PORT | -c gslb.yaml] [--json]  health table of a running server", run_status}};

}  // namespace
}  // namespace gslb::cli
