// `gslb explain`: why a client gets the answer it gets. Loads the same zones,
// policies and GeoIP database `gslb serve` would, runs the engine's pipeline
// for one name and client with a trace, and prints it.
#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <iostream>
#include <optional>

#include "base/diagnostic.hpp"
#include "dns/name.hpp"
#include "dns/zone_set.hpp"
#include "gslb/admin_api.hpp"
#include "gslb/cli/command.hpp"
#include "gslb/config.hpp"
#include "gslb/gslb_service.hpp"

namespace gslb::cli {
namespace {

constexpr std::string_view usage_text =
    R"(usage: gslb explain NAME [A|AAAA] (--client IP | --subnet CIDR)
                    [-c gslb.yaml | --zones DIR [--geoip FILE]] [--state FILE]

Loads the zones and <zone>.gslb.yaml policies of DIR (or of the config file's
zones:), and the GeoIP database if given, then prints how NAME is answered to
a client at IP (as the packet source) or to a resolver sending ECS CIDR: the
client's location, every candidate with its health and each step's note, the
answer, its TTL and ECS scope. No probe runs here: members are up, or with
--state (or the config's state:) as that state file of `gslb serve` has
them, operator overrides included.
Exit codes: 0 ok, 1 invalid input or NAME is not a GSLB record, 2 usage.
)";

constexpr std::uint16_t type_a = 1;
constexpr std::uint16_t type_aaaa = 28;

// The client as the server would see it: the packet source for --client, an
// ECS option (RFC 7871 §6, host bits cleared) for --subnet.
std::optional<dns::ClientInfo> client_from(const std::optional<std::string>& ip,
                                           const std::optional<std::string>& subnet) {
  dns::ClientInfo info;
  if (ip) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&info.source);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&info.source);
    if (::inet_pton(AF_INET, ip->c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
    } else if (::inet_pton(AF_INET6, ip->c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
    } else {
      return std::nullopt;
    }
    return info;
  }
  const auto slash = subnet->find('/');
  if (slash == std::string::npos) return std::nullopt;
  const std::string address = subnet->substr(0, slash);
  unsigned prefix = 0;
  const char* first = subnet->data() + slash + 1;
  const char* last = subnet->data() + subnet->size();
  const auto [end, ec] = std::from_chars(first, last, prefix);
  if (ec != std::errc{} || end != last || first == last) return std::nullopt;
  unsigned width = 0;
  if (::inet_pton(AF_INET, address.c_str(), info.ecs_address.data()) == 1) {
    info.ecs_family = 1;
    width = 32;
  } else if (::inet_pton(AF_INET6, address.c_str(), info.ecs_address.data()) == 1) {
    info.ecs_family = 2;
    width = 128;
  } else {
    return std::nullopt;
  }
  if (prefix > width) return std::nullopt;
  for (unsigned bit = prefix; bit < 128; ++bit)
    info.ecs_address[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  info.has_ecs = true;
  info.ecs_source_prefix = static_cast<std::uint8_t>(prefix);
  // The packet source stays unset (family 0): with ECS present it is not used.
  return info;
}

void print_diagnostics(const base::DiagnosticList& diags) {
  for (const auto& d : diags.items()) std::cerr << d.format() << '\n';
}

int run_explain(const Args& args) {
  std::optional<std::string> name, type, ip, subnet, config_file, zones, geoip, state;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << usage_text;
      return exit_ok;
    }
    if (arg == "--client" || arg == "--subnet" || arg == "-c" || arg == "--config" || arg == "--zones" ||
        arg == "--geoip" || arg == "--state") {
      if (i + 1 >= args.size()) return usage_error("explain", arg + " needs a value");
      const std::string& value = args[++i];
      if (arg == "--client")
        ip = value;
      else if (arg == "--subnet")
        subnet = value;
      else if (arg == "--zones")
        zones = value;
      else if (arg == "--geoip")
        geoip = value;
      else if (arg == "--state")
        state = value;
      else
        config_file = value;
    } else if (arg.rfind('-', 0) == 0) {
      return usage_error("explain", "unknown option '" + arg + "'");
    } else if (!name) {
      name = arg;
    } else if (!type) {
      type = arg;
    } else {
      return usage_error("explain", "unexpected argument '" + arg + "'");
    }
  }
  if (!name) return usage_error("explain", "give the NAME to explain");
  if (ip.has_value() == subnet.has_value())
    return usage_error("explain", "give exactly one of --client IP or --subnet CIDR");
  std::uint16_t qtype = type_a;
  if (type && (*type == "AAAA" || *type == "aaaa")) {
    qtype = type_aaaa;
  } else if (type && *type != "A" && *type != "a") {
    return usage_error("explain", "TYPE must be A or AAAA, not '" + *type + "'");
  }
  const auto client = client_from(ip, subnet);
  if (!client)
    return usage_error("explain", ip ? "--client: '" + *ip + "' is not an IP address"
                                     : "--subnet: '" + *subnet + "' is not an address/prefix");
  // NAME is taken as absolute whether or not it ends in a dot.
  const auto qname = dns::Name::parse(name->ends_with('.') ? *name : *name + ".");
  if (!qname) return usage_error("explain", "'" + *name + "' is not a domain name");

  policy::ServeConfig config;
  if (config_file) {
    base::DiagnosticList diags;
    auto loaded = policy::load_serve_config(*config_file, diags);
    print_diagnostics(diags);
    if (!loaded) return exit_invalid;
    config = std::move(*loaded);
  }
  if (zones) config.zones_dir = *zones;
  if (geoip) config.geoip = *geoip;
  if (state) config.state = *state;
  if (config.zones_dir.empty()) return usage_error("explain", "no zone directory: give --zones DIR or -c gslb.yaml");

  base::DiagnosticList diags;
  const auto zone_set = dns::load_zone_directory({config.zones_dir, true}, diags);
  policy::GslbService gslb(config.zones_dir);
  const bool loaded = !diags.has_errors() && gslb.load_policies(*zone_set, diags);
  print_diagnostics(diags);
  if (!loaded) return exit_invalid;
  if (!config.state.empty()) {
    if (auto error = gslb.use_stored_health(config.state); !error.empty()) {
      std::cerr << "gslb explain: cannot use the state file: " << error << '\n';
      return exit_invalid;
    }
    std::cout << "health from " << config.state.string() << " (stored probe results and overrides)\n";
  }
  if (!config.geoip.empty()) {
    if (auto error = gslb.open_geo(config.geoip); !error.empty()) {
      std::cerr << "gslb explain: cannot use GeoIP database " << config.geoip.string() << ": " << error << '\n';
      return exit_invalid;
    }
  } else {
    std::cout << "no GeoIP database (--geoip): geo steps rank without a client location\n";
  }
  const std::string key = qname->canonical_key();
  if (gslb.engine().state()->find(key) == nullptr) {
    std::cout << qname->to_string() << " is not a GSLB record of any policy: static zone data answers it\n";
    return exit_invalid;
  }
  std::cout << gslb.engine().explain(key, qtype, *client);
  if (!config.state.empty()) std::cout << "\nstored health:\n" << policy::status_table(gslb.member_status());
  return exit_ok;
}

const Registration registration{{"explain",
                                 "explain NAME [A|AAAA] (--client IP | --subnet CIDR) [-c FILE | --zones DIR]  why "
                                 "that answer",
                                 run_explain}};

}  // namespace
}  // namespace gslb::cli
