// Diagnostics for the control plane (zone files, YAML, configs): collected, not
// thrown, so that `gslb check` reports every problem with its location.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace gslb::base {

enum class Severity { warning, error };

struct Diagnostic {
  std::string file;  // as the operator named it; empty when not from a file
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  Severity severity = Severity::error;
  std::string message;

  // "file:line:col: error: message" (parts omitted when unknown), the format
  // compilers use so that editors and CI annotate the right line.
  std::string format() const;
};

class DiagnosticList {
 public:
  void error(std::string file, int line, int column, std::string message);
  void warning(std::string file, int line, int column, std::string message);
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const DiagnosticList& other);

  bool has_errors() const { return error_count() > 0; }
  std::size_t error_count() const;
  std::size_t warning_count() const { return items_.size() - error_count(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // One formatted diagnostic per line.
  void print(std::ostream& out) const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace gslb::base
