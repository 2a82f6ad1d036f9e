#include <ldns/ldns.h>

#include <boost/version.hpp>
#include <iostream>

#include "gslb/cli/command.hpp"

namespace gslb::cli {
namespace {

int run_version(const Args& args) {
  if (!args.empty()) return usage_error("version", "takes no arguments");
  std::cout << "gslb " << GSLB_VERSION << " (ldns " << LDNS_VERSION << ", boost " << BOOST_VERSION / 100000 << '.'
            << BOOST_VERSION / 100 % 1000 << ")\n";
  return exit_ok;
}

const Registration registration{{"version", "version                      print the version", run_version}};

}  // namespace
}  // namespace gslb::cli
