// Config schema as data (STYLE.md habit 11): each YAML section of a config
// file (region.yaml, <zone>.gslb.yaml) is described once by a table of SchemaItem (key, type, default, range, doc);
// the loader, `gslb check` and the reference documentation all read that table.
//
// A Section checks one YAML mapping against its table when constructed —
// unknown and duplicate keys, missing required keys, wrong types and values out
// of range all become diagnostics "file:line:col: error: message" (yaml-cpp's
// 0-based Mark made 1-based) — and then hands out typed values, falling back to
// the table's default when a key is absent or was invalid. Control plane only:
// never used per request. Not thread-safe; one loader at a time.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "base/diagnostic.hpp"
#include "base/duration.hpp"

namespace gslb::base {

enum class ValueType { string, integer, number, boolean, duration, mapping, sequence };

struct SchemaItem {
  std::string_view key;
  ValueType type;
  bool required;
  std::string_view default_value;  // in YAML spelling; empty for mappings, sequences and required keys
  std::int64_t min;                // integer, number: inclusive range; duration: milliseconds
  std::int64_t max;
  std::string_view doc;
};
using Schema = std::span<const SchemaItem>;

// Where diagnostics go and which file they name.
struct LoadContext {
  std::string file;
  DiagnosticList& diagnostics;

  // mark may be null (then only the file is named).
  void error(const YAML::Mark& mark, std::string message);
};

class Section {
 public:
  // path names the section in messages ("pools.web.check"). A null or
  // undefined node is an empty section (all defaults); anything but a mapping
  // is an error.
  Section(LoadContext& ctx, const YAML::Node& node, Schema schema, std::string path);

  bool is_mapping() const { return mapping_; }
  bool has(std::string_view key) const;

  // Typed access; key must be in the schema with that type (a programming
  // error otherwise, checked by assert). Absent or invalid → the default.
  std::string string(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  double number(std::string_view key) const;  // decimal, e.g. a latitude
  bool boolean(std::string_view key) const;
  Duration duration(std::string_view key) const;
  // For mappings and sequences: the node, or an undefined node when absent or invalid.
  YAML::Node node(std::string_view key) const;

  // Mark of the value (or of the section when the key is absent), for callers' own checks.
  YAML::Mark mark(std::string_view key) const;
  YAML::Mark section_mark() const { return node_.IsDefined() ? node_.Mark() : YAML::Mark::null_mark(); }
  std::string path(std::string_view key) const;

 private:
  const SchemaItem& item(std::string_view key, ValueType type) const;
  bool valid(std::string_view key) const;  // present and passed the checks
  void check_value(const SchemaItem& item, const YAML::Node& value);

  LoadContext& ctx_;
  YAML::Node node_;
  Schema schema_;
  std::string path_;
  bool mapping_ = false;
  std::vector<std::string> invalid_;  // keys present but rejected
};

// "duration like 10s", "integer", ... for messages and docs.
std::string_view describe(ValueType type);

// Markdown reference for one section table: key | type | default | range | doc.
void write_schema_table(std::ostream& out, std::string_view title, Schema schema);

}  // namespace gslb::base
