#include "base/diagnostic.hpp"

#include <algorithm>

namespace gslb::base {

std::string Diagnostic::format() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ':' + std::to_string(line);
      if (column > 0) out += ':' + std::to_string(column);
    }
    out += ": ";
  }
  out += severity == Severity::error ? "error: " : "warning: ";
  out += message;
  return out;
}

void DiagnosticList::error(std::string file, int line, int column, std::string message) {
  items_.push_back({std::move(file), line, column, Severity::error, std::move(message)});
}

void DiagnosticList::warning(std::string file, int line, int column, std::string message) {
  items_.push_back({std::move(file), line, column, Severity::warning, std::move(message)});
}

void DiagnosticList::append(const DiagnosticList& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::size_t DiagnosticList::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

void DiagnosticList::print(std::ostream& out) const {
  for (const auto& d : items_) out << d.format() << '\n';
}

}  // namespace gslb::base
