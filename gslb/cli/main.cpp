#include <algorithm>
#include <exception>
#include <iostream>

#include "gslb/cli/command.hpp"

namespace gslb::cli {

std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

int usage_error(std::string_view command, std::string_view message) {
  std::cerr << "gslb " << command << ": " << message << "\n"
            << "run 'gslb --help' for usage\n";
  return exit_usage;
}

namespace {
void print_help(std::ostream& out) {
  auto commands = registry();
  std::sort(commands.begin(), commands.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  out << "usage: gslb <command> [options]\n\ncommands:\n";
  for (const auto& c : commands) out << "  " << c.synopsis << "\n";
}
}  // namespace

}  // namespace gslb::cli

int main(int argc, char** argv) {
  using namespace gslb::cli;
  if (argc < 2) {
    print_help(std::cerr);
    return exit_usage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_help(std::cout);
    return exit_ok;
  }
  const Args args(argv + 2, argv + argc);
  for (const auto& c : registry()) {
    if (c.name == name) {
      try {
        return c.run(args);
      } catch (const std::exception& e) {
        // Control-plane failures that escaped a command: report, never abort.
        std::cerr << "gslb " << name << ": " << e.what() << "\n";
        return exit_invalid;
      }
    }
  }
  return usage_error(name, "unknown command");
}
