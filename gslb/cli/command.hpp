// Subcommand registry for the `gslb` executable. Each subcommand lives in its
// own file under gslb/cli/ and registers itself with a static Registration, so
// adding one touches no other file.
//
// Exit codes (DESIGN.md): 0 ok, 1 invalid input, 2 usage.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gslb::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_invalid = 1;
inline constexpr int exit_usage = 2;

using Args = std::vector<std::string>;  // arguments after the subcommand name

struct Command {
  std::string name;
  std::string synopsis;  // one line for `gslb --help`
  std::function<int(const Args&)> run;
};

std::vector<Command>& registry();

struct Registration {
  explicit Registration(Command c) { registry().push_back(std::move(c)); }
};

// Prints "gslb <name>: <message>" and the usage hint to stderr; returns exit_usage.
int usage_error(std::string_view command, std::string_view message);

}  // namespace gslb::cli
