#include "base/yaml_util.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <set>

namespace gslb::base {

void LoadContext::error(const YAML::Mark& mark, std::string message) {
  if (mark.is_null()) {
    diagnostics.error(file, 0, 0, std::move(message));
  } else {
    // yaml-cpp counts lines and columns from 0; editors and compilers from 1.
    diagnostics.error(file, mark.line + 1, mark.column + 1, std::move(message));
  }
}

std::string_view describe(ValueType type) {
  switch (type) {
    case ValueType::string:
      return "string";
    case ValueType::integer:
      return "integer";
    case ValueType::number:
      return "number";
    case ValueType::boolean:
      return "boolean";
    case ValueType::duration:
      return "duration";
    case ValueType::mapping:
      return "mapping";
    case ValueType::sequence:
      return "list";
  }
  return "value";
}

namespace {

bool parse_integer(const std::string& text, std::int64_t& out) {
  if (text.empty()) return false;
  std::size_t i = text[0] == '-' ? 1 : 0;
  if (i == text.size()) return false;
  std::int64_t v = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (text[i] - '0');
  }
  out = text[0] == '-' ? -v : v;
  return true;
}

bool parse_number(const std::string& text, double& out) {
  // from_chars: locale-independent and rejects trailing garbage ("1.5x").
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

bool parse_boolean(const std::string& text, bool& out) {
  // YAML 1.2 core schema booleans only; "yes"/"on" are YAML 1.1 traps.
  if (text == "true") {
    out = true;
    return true;
  }
  if (text == "false") {
    out = false;
    return true;
  }
  return false;
}

}  // namespace

Section::Section(LoadContext& ctx, const YAML::Node& node, Schema schema, std::string path)
    : ctx_(ctx), node_(node), schema_(schema), path_(std::move(path)) {
  if (!node.IsDefined() || node.IsNull()) {
    node_ = YAML::Node(YAML::NodeType::Map);
  } else if (!node.IsMap()) {
    ctx_.error(node.Mark(), path_ + ": expected a mapping of keys to values");
    node_ = YAML::Node(YAML::NodeType::Map);
    return;
  }
  mapping_ = true;
  std::set<std::string> seen;
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    const auto it = std::find_if(schema_.begin(), schema_.end(), [&](const SchemaItem& s) { return s.key == key; });
    if (it == schema_.end()) {
      std::string known;
      for (const auto& s : schema_) known += (known.empty() ? "" : ", ") + std::string(s.key);
      ctx_.error(entry.first.Mark(), "unknown key '" + key + "' in " + path_ + " (known keys: " + known + ")");
      continue;
    }
    if (!seen.insert(key).second) {
      // yaml-cpp keeps both entries and node[key] returns the first: refuse
      // rather than silently ignore what the operator wrote last.
      ctx_.error(entry.first.Mark(), "duplicate key '" + key + "' in " + path_);
      invalid_.push_back(key);
      continue;
    }
    check_value(*it, entry.second);
  }
  for (const auto& s : schema_) {
    if (s.required && !seen.count(std::string(s.key))) {
      ctx_.error(node_.Mark(), path_ + ": missing required key '" + std::string(s.key) + "'");
    }
  }
}

void Section::check_value(const SchemaItem& item, const YAML::Node& value) {
  const std::string where = path(item.key);
  auto reject = [&](std::string message) {
    ctx_.error(value.Mark(), where + ": " + message);
    invalid_.emplace_back(item.key);
  };
  switch (item.type) {
    case ValueType::mapping:
      if (!value.IsMap()) reject("expected a mapping");
      return;
    case ValueType::sequence:
      if (!value.IsSequence()) reject("expected a list");
      return;
    default:
      break;
  }
  if (!value.IsScalar()) {
    reject("expected a " + std::string(describe(item.type)) + ", got a " + (value.IsMap() ? "mapping" : "list"));
    return;
  }
  const std::string& text = value.Scalar();
  switch (item.type) {
    case ValueType::string:
      return;
    case ValueType::integer: {
      std::int64_t v = 0;
      if (!parse_integer(text, v)) {
        reject("expected an integer, got '" + text + "'");
      } else if (v < item.min || v > item.max) {
        reject(text + " is out of range " + std::to_string(item.min) + ".." + std::to_string(item.max));
      }
      return;
    }
    case ValueType::number: {
      double v = 0;
      if (!parse_number(text, v)) {
        reject("expected a number, got '" + text + "'");
      } else if (v < static_cast<double>(item.min) || v > static_cast<double>(item.max)) {
        reject(text + " is out of range " + std::to_string(item.min) + ".." + std::to_string(item.max));
      }
      return;
    }
    case ValueType::boolean: {
      bool b = false;
      if (!parse_boolean(text, b)) reject("expected true or false, got '" + text + "'");
      return;
    }
    case ValueType::duration: {
      std::string error;
      const auto d = parse_duration(text, &error);
      if (!d) {
        reject(error);
      } else if (d->count() < item.min || d->count() > item.max) {
        reject(text + " is out of range " + format_duration(Duration{item.min}) + ".." +
               format_duration(Duration{item.max}));
      }
      return;
    }
    default:
      return;
  }
}

const SchemaItem& Section::item(std::string_view key, ValueType type) const {
  const auto it = std::find_if(schema_.begin(), schema_.end(), [&](const SchemaItem& s) { return s.key == key; });
  assert(it != schema_.end() && it->type == type && "key missing from schema or read with the wrong type");
  (void)type;
  return *it;
}

bool Section::has(std::string_view key) const {
  return node_[std::string(key)].IsDefined();
}

bool Section::valid(std::string_view key) const {
  return has(key) && std::find(invalid_.begin(), invalid_.end(), key) == invalid_.end();
}

std::string Section::path(std::string_view key) const {
  return path_ + "." + std::string(key);
}

YAML::Mark Section::mark(std::string_view key) const {
  if (has(key)) return node_[std::string(key)].Mark();
  return section_mark();
}

std::string Section::string(std::string_view key) const {
  const auto& s = item(key, ValueType::string);
  return valid(key) ? node_[std::string(key)].Scalar() : std::string(s.default_value);
}

std::int64_t Section::integer(std::string_view key) const {
  const auto& s = item(key, ValueType::integer);
  std::int64_t v = 0;
  if (valid(key) && parse_integer(node_[std::string(key)].Scalar(), v)) return v;
  parse_integer(std::string(s.default_value), v);
  return v;
}

double Section::number(std::string_view key) const {
  const auto& s = item(key, ValueType::number);
  double v = 0;
  if (valid(key) && parse_number(node_[std::string(key)].Scalar(), v)) return v;
  parse_number(std::string(s.default_value), v);
  return v;
}

bool Section::boolean(std::string_view key) const {
  const auto& s = item(key, ValueType::boolean);
  bool b = false;
  if (valid(key) && parse_boolean(node_[std::string(key)].Scalar(), b)) return b;
  parse_boolean(std::string(s.default_value), b);
  return b;
}

Duration Section::duration(std::string_view key) const {
  const auto& s = item(key, ValueType::duration);
  if (valid(key)) {
    if (auto d = parse_duration(node_[std::string(key)].Scalar())) return *d;
  }
  return parse_duration(s.default_value).value_or(Duration{0});
}

YAML::Node Section::node(std::string_view key) const {
  [[maybe_unused]] const auto it =
      std::find_if(schema_.begin(), schema_.end(), [&](const SchemaItem& s) { return s.key == key; });
  assert(it != schema_.end() && (it->type == ValueType::mapping || it->type == ValueType::sequence));
  if (!valid(key)) return YAML::Node(YAML::NodeType::Undefined);
  return node_[std::string(key)];
}

void write_schema_table(std::ostream& out, std::string_view title, Schema schema) {
  out << "### " << title << "\n\n| key | type | default | range | description |\n| --- | --- | --- | --- | --- |\n";
  for (const auto& s : schema) {
    out << "| `" << s.key << "` | " << describe(s.type) << " | ";
    if (s.required) {
      out << "required";
    } else if (!s.default_value.empty()) {
      out << '`' << s.default_value << '`';
    }
    out << " | ";
    if (s.type == ValueType::integer || s.type == ValueType::number) out << s.min << ".." << s.max;
    if (s.type == ValueType::duration) {
      out << format_duration(Duration{s.min}) << ".." << format_duration(Duration{s.max});
    }
    out << " | " << s.doc << " |\n";
  }
  out << '\n';
}

}  // namespace gslb::base
