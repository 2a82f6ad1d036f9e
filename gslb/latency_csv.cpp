#include "gslb/latency_csv.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace gslb::policy {

namespace {

struct Field {
  std::string_view text;  // trimmed
  int column = 0;         // 1-based column of the trimmed text (of the field start when empty)
};

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s, std::size_t& leading) {
  leading = 0;
  while (leading < s.size() && is_space(s[leading])) ++leading;
  s.remove_prefix(leading);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<Field> split(std::string_view line) {
  std::vector<Field> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::string_view raw =
        line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::size_t leading = 0;
    const std::string_view text = trim(raw, leading);
    out.push_back({text, static_cast<int>(start + leading + 1)});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// A plain decimal: digits with an optional fraction. Rejects signs,
// exponents, "nan", "inf" and hex, which from_chars alone would take.
std::optional<double> parse_decimal(std::string_view s) {
  std::size_t i = 0, digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0 || i != s.size()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::fixed);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string format_ms(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

bool valid_region_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > kMaxRegionNameLength) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::vector<LatencyRow> parse_latency_csv(std::string_view text, const std::string& file, base::DiagnosticList& diags) {
  static constexpr std::string_view kColumns[] = {"prefix", "region", "rtt_ms", "samples"};
  std::vector<LatencyRow> rows;
  std::unordered_map<std::string, int> first_line;  // "prefix region" → line
  std::size_t columns = 0;                          // 0 until the header is read
  int line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t newline = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, newline == std::string_view::npos ? std::string_view::npos : newline - pos);
    pos = newline == std::string_view::npos ? text.size() : newline + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t leading = 0;
    const std::string_view content = trim(line, leading);
    if (content.empty() || content.front() == '#') continue;

    const std::vector<Field> fields = split(line);
    if (columns == 0) {
      // The header names the columns so that a file of another shape (a
      // different export, columns swapped) is refused, not misread.
      const bool three = fields.size() == 3, four = fields.size() == 4;
      bool ok = three || four;
      for (std::size_t i = 0; ok && i < fields.size(); ++i) ok = fields[i].text == kColumns[i];
      if (!ok) {
        diags.error(file, line_number, 1,
                    "expected the header 'prefix,region,rtt_ms' or 'prefix,region,rtt_ms,samples', not '" +
                        std::string(content) + "'");
        return {};
      }
      columns = fields.size();
      continue;
    }

    const std::size_t errors_before = diags.error_count();
    if (fields.size() < 3) {
      diags.error(file, line_number, static_cast<int>(line.size() + 1),
                  "missing column '" + std::string(kColumns[fields.size()]) + "' (expected " +
                      (columns == 4 ? "prefix,region,rtt_ms[,samples])" : "prefix,region,rtt_ms)"));
      continue;
    }
    if (fields.size() > columns) {
      diags.error(
          file, line_number, fields[columns].column,
          "unexpected column " + std::to_string(columns + 1) + " (the header names " + std::to_string(columns) + ")");
      continue;
    }
    LatencyRow row;
    row.line = line_number;

    const Field& prefix = fields[0];
    std::string why;
    if (prefix.text.empty()) {
      diags.error(file, line_number, prefix.column, "missing prefix");
    } else if (auto parsed = base::Prefix::parse(prefix.text, &why)) {
      row.prefix = *parsed;
    } else {
      diags.error(file, line_number, prefix.column, "bad prefix: " + why);
    }

    const Field& region = fields[1];
    if (region.text.empty()) {
      diags.error(file, line_number, region.column, "missing region");
    } else if (!valid_region_name(region.text)) {
      diags.error(
          file, line_number, region.column,
          "bad region name '" + std::string(region.text) + "' (letters, digits, '-', '_', '.'; at most 63 characters)");
    } else {
      row.region = region.text;
    }

    const Field& rtt = fields[2];
    if (rtt.text.empty()) {
      diags.error(file, line_number, rtt.column, "missing rtt_ms");
    } else if (rtt.text.front() == '-') {
      diags.error(file, line_number, rtt.column, "negative RTT '" + std::string(rtt.text) + "'");
    } else if (const auto ms = parse_decimal(rtt.text); !ms) {
      diags.error(file, line_number, rtt.column,
                  "rtt_ms '" + std::string(rtt.text) + "' is not a decimal number of milliseconds (e.g. 12.5)");
    } else if (*ms > kMaxRttMs) {
      diags.error(file, line_number, rtt.column,
                  "RTT " + format_ms(*ms) + " ms is absurd (more than " + format_ms(kMaxRttMs) + " ms)");
    } else {
      row.rtt_ms = *ms;
    }

    if (fields.size() == 4 && !fields[3].text.empty()) {
      const Field& samples = fields[3];
      std::uint64_t n = 0;
      const auto [end, ec] = std::from_chars(samples.text.data(), samples.text.data() + samples.text.size(), n);
      if (ec != std::errc{} || end != samples.text.data() + samples.text.size())
        diags.error(file, line_number, samples.column,
                    "samples '" + std::string(samples.text) + "' is not a non-negative integer");
      else
        row.samples = n;
    }

    if (diags.error_count() != errors_before) continue;
    // Keyed after normalisation: ::ffff:192.0.2.0/120 and 192.0.2.0/24 are one prefix.
    const auto [it, inserted] = first_line.emplace(row.prefix.to_string() + ' ' + row.region, line_number);
    if (!inserted) {
      diags.error(file, line_number, prefix.column,
                  "duplicate prefix and region " + row.prefix.to_string() + " " + row.region + " (first on line " +
                      std::to_string(it->second) + ")");
      continue;
    }
    rows.push_back(std::move(row));
  }
  if (columns == 0) diags.error(file, line_number > 0 ? line_number : 1, 1, "no header 'prefix,region,rtt_ms' found");
  return rows;
}

std::vector<LatencyRow> read_latency_csv(const std::filesystem::path& file, base::DiagnosticList& diags) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    diags.error(file.string(), 0, 0, "cannot read the file");
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    diags.error(file.string(), 0, 0, "read error");
    return {};
  }
  return parse_latency_csv(text.str(), file.string(), diags);
}

}  // namespace gslb::policy
