#include "dns/zone_parser.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>

#include "dns/rdata_text.hpp"
#include "dns/rr_types.hpp"
#include "dns/zone_ldns.hpp"
#include "dns/zone_tokenizer.hpp"

namespace gslb::dns {

namespace {

namespace fs = std::filesystem;

constexpr std::uint16_t class_in = 1;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (dns_tolower(static_cast<std::uint8_t>(a[i])) != dns_tolower(static_cast<std::uint8_t>(b[i]))) return false;
  }
  return true;
}

std::string quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// RR type from its mnemonic or TYPEnnn (RFC 3597 §5); 0 when unknown. The
// common types are matched here, sparing ldns a string copy per record.
std::uint16_t type_from_text(std::string_view text) {
  struct Known {
    std::string_view name;
    std::uint16_t type;
  };
  static constexpr Known common[] = {{"A", 1},    {"AAAA", 28}, {"CNAME", 5}, {"NS", 2}, {"MX", 15},
                                     {"TXT", 16}, {"SRV", 33},  {"PTR", 12},  {"SOA", 6}};
  for (const auto& k : common) {
    if (iequals(text, k.name)) return k.type;
  }
  if (text.size() > 32) return 0;
  const std::string s(text);
  return static_cast<std::uint16_t>(ldns_get_rr_type_by_name(s.c_str()));
}

// RR class from its mnemonic or CLASSnnn; 0 when the token is no class.
// Most tokens reaching this are types, so rule them out before asking ldns.
std::uint16_t class_from_text(std::string_view text) {
  if (iequals(text, "IN")) return class_in;
  const bool maybe_class = iequals(text, "CH") || iequals(text, "HS") || iequals(text, "CS") || iequals(text, "NONE") ||
                           iequals(text, "ANY") ||
                           (text.size() > 5 && text.size() < 16 && iequals(text.substr(0, 5), "CLASS"));
  if (!maybe_class) return 0;
  const std::string s(text);
  return static_cast<std::uint16_t>(ldns_get_rr_class_by_name(s.c_str()));
}

// RFC 6895 §3.1: OPT and the types 128-255 are for queries and transport, not
// for zone data.
bool is_meta_type(std::uint16_t type) {
  return type == 41 || (type >= 128 && type <= 255);
}

bool read_whole_file(const fs::path& path, std::string& out, std::string& error) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    error = std::strerror(errno);
    return false;
  }
  out.clear();
  // Size the buffer once: a large zone would otherwise be copied at every
  // doubling. The size is a hint; reading goes on to the real end.
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!ec) out.reserve(static_cast<std::size_t>(size) + 1);
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.append(buf, n);
  if (std::ferror(f.get())) {
    error = std::strerror(errno);
    return false;
  }
  return true;
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end();
}

class Parser {
 public:
  Parser(const ZoneParseOptions& options, base::DiagnosticList& diags, RecordSink& sink)
      : options_(options), diags_(diags), sink_(sink) {
    origin_ = options.origin;
    std::error_code ec;
    root_ = fs::canonical(options.include_root.empty() ? fs::path(".") : options.include_root, ec);
  }

  const std::optional<Name>& origin() const { return origin_; }

  // One file's (or text's) worth of entries. `canonical` is the file's
  // resolved path for include-cycle detection (empty for in-memory text).
  void parse(std::string_view text, const std::string& display_name, const fs::path& canonical,
             std::optional<Name> origin, std::optional<std::uint32_t> default_ttl, int depth) {
    FileState file;
    file.name = std::make_shared<const std::string>(display_name);
    file.origin = std::move(origin);
    file.default_ttl = default_ttl;
    file.depth = depth;
    if (!canonical.empty()) include_stack_.push_back(canonical);
    // One record per line is the common layout: the sink can size its tables
    // for that and spare their regrowth.
    if (depth == 0) lines_ = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    ZoneTokenizer tokenizer(text);
    ZoneEntry entry;
    for (;;) {
      const auto result = tokenizer.next(entry);
      if (result == ZoneTokenizer::Result::end) break;
      if (result == ZoneTokenizer::Result::error) {
        const auto& e = tokenizer.error();
        error(file, e.line, e.column, e.message);
        continue;
      }
      if (!entry.owner_omitted && entry.tokens[0].text[0] == '$' && !entry.tokens[0].quoted) {
        directive(file, entry);
      } else {
        record(file, entry);
      }
    }
    if (!canonical.empty()) include_stack_.pop_back();
  }

 private:
  struct FileState {
    std::shared_ptr<const std::string> name;
    std::optional<Name> origin;
    std::optional<std::uint32_t> default_ttl;
    // The previous record's owner (RFC 1035 §5.1 blank owner), kept in place
    // rather than as a Name to spare an allocation per record.
    std::uint8_t last_owner[max_name_length];
    std::size_t last_owner_size = 0;
    bool last_owner_broken = false;  // reported already: its continuation lines are skipped quietly
    LdnsRdfPtr origin_rdf;           // ldns' copy of `origin`, made when ldns first needs it
    int depth = 0;
  };

  void error(const FileState& f, int line, int column, std::string message) {
    diags_.error(*f.name, line, column, std::move(message));
  }
  void warning(const FileState& f, int line, int column, std::string message) {
    diags_.warning(*f.name, line, column, std::move(message));
  }

  // A name token to wire form in `buf`, with a diagnostic when it is not one.
  // Returns the length, 0 on error.
  std::size_t name_token(const FileState& f, const ZoneToken& t, const char* what,
                         std::uint8_t (&buf)[max_name_length]) {
    const std::string_view origin_wire = f.origin ? std::string_view(f.origin->wire()) : std::string_view();
    const std::size_t len = t.quoted ? 0 : name_to_wire(t.text, origin_wire, buf);
    if (len == 0) {
      const bool relative = !t.quoted && t.text != "." && (t.text == "@" || t.text.back() != '.');
      if (relative && !f.origin) {
        error(f, t.line, t.column, std::string(what) + " " + quote(t.text) + " is relative but no $ORIGIN is set");
      } else {
        error(f, t.line, t.column, std::string("invalid ") + what + " " + quote(t.text));
      }
    }
    return len;
  }

  std::optional<Name> name_token(const FileState& f, const ZoneToken& t, const char* what) {
    std::uint8_t buf[max_name_length];
    const std::size_t len = name_token(f, t, what, buf);
    if (len == 0) return std::nullopt;
    return Name::from_wire(std::string_view(reinterpret_cast<const char*>(buf), len));
  }

  void directive(FileState& f, const ZoneEntry& e) {
    const ZoneToken& d = e.tokens[0];
    const auto args = std::span<const ZoneToken>(e.tokens).subspan(1);
    if (iequals(d.text, "$ORIGIN")) {
      if (args.size() != 1) return error(f, d.line, d.column, "$ORIGIN takes one domain name");
      auto name = name_token(f, args[0], "$ORIGIN name");
      if (!name) return;
      // The first $ORIGIN before any record names the zone (it wins over the
      // file name); later ones only change how relative names complete.
      if (f.depth == 0 && !records_seen_) origin_ = *name;
      f.origin = std::move(name);
      f.origin_rdf.reset();
    } else if (iequals(d.text, "$TTL")) {
      std::uint32_t ttl;
      if (args.size() != 1) return error(f, d.line, d.column, "$TTL takes one TTL value");
      if (!parse_ttl(args[0].text, ttl)) {
        return error(f, args[0].line, args[0].column, "invalid TTL " + quote(args[0].text));
      }
      f.default_ttl = ttl;
    } else if (iequals(d.text, "$INCLUDE")) {
      include(f, e);
    } else if (iequals(d.text, "$GENERATE")) {
      error(f, d.line, d.column, "$GENERATE is not supported; write the records out");
    } else {
      error(f, d.line, d.column, "unknown directive " + quote(d.text));
    }
  }

  // RFC 1035 §5.1: $INCLUDE <file> [<origin>]. The included file starts with
  // the given origin (else the current one) and the current default TTL;
  // what it changes stays inside it.
  void include(FileState& f, const ZoneEntry& e) {
    const ZoneToken& d = e.tokens[0];
    if (e.tokens.size() < 2 || e.tokens.size() > 3) {
      return error(f, d.line, d.column, "$INCLUDE takes a file name and an optional origin");
    }
    const ZoneToken& file_token = e.tokens[1];
    std::string_view file_text = file_token.text;
    if (file_token.quoted) file_text = file_text.substr(1, file_text.size() - 2);
    const fs::path relative(file_text);
    if (relative.empty() || relative.is_absolute()) {
      return error(f, file_token.line, file_token.column,
                   "$INCLUDE file " + quote(file_text) + " must be a path relative to the zones directory");
    }
    std::optional<Name> origin = f.origin;
    if (e.tokens.size() == 3) {
      origin = name_token(f, e.tokens[2], "$INCLUDE origin");
      if (!origin) return;
    }
    const fs::path full = options_.include_root / relative;
    const std::string shown = full.lexically_normal().string();
    std::error_code ec;
    // Escapes are refused whether or not the target exists, so the answer does
    // not depend on what happens to be outside the zones directory.
    const fs::path resolved = fs::weakly_canonical(full, ec);
    if (!ec && !root_.empty() && !is_within(resolved, root_)) {
      return error(f, file_token.line, file_token.column,
                   "$INCLUDE file " + quote(shown) + " is outside the zones directory");
    }
    const fs::path canonical = fs::canonical(full, ec);
    if (ec) {
      return error(f, file_token.line, file_token.column,
                   "cannot open $INCLUDE file " + quote(shown) + ": " + ec.message());
    }
    if (root_.empty() || !is_within(canonical, root_)) {
      return error(f, file_token.line, file_token.column,
                   "$INCLUDE file " + quote(shown) + " is outside the zones directory");
    }
    if (std::find(include_stack_.begin(), include_stack_.end(), canonical) != include_stack_.end()) {
      std::string chain;
      for (const auto& p : include_stack_) chain += p.filename().string() + " -> ";
      chain += canonical.filename().string();
      return error(f, file_token.line, file_token.column, "$INCLUDE cycle: " + chain);
    }
    if (f.depth + 1 > max_include_depth) {
      return error(f, file_token.line, file_token.column,
                   "$INCLUDE nested more than " + std::to_string(max_include_depth) + " levels deep");
    }
    std::string content;
    std::string read_error;
    if (!read_whole_file(canonical, content, read_error)) {
      return error(f, file_token.line, file_token.column,
                   "cannot read $INCLUDE file " + quote(shown) + ": " + read_error);
    }
    parse(content, shown, canonical, std::move(origin), f.default_ttl, f.depth + 1);
  }

  void record(FileState& f, const ZoneEntry& e) {
    records_seen_ = true;
    const auto& tokens = e.tokens;
    std::size_t i = 0;
    Record rec;
    if (e.owner_omitted) {
      if (f.last_owner_broken) return;
      if (f.last_owner_size == 0) return error(f, e.line, 1, "record has no owner name and there is no previous one");
    } else {
      std::uint8_t buf[max_name_length];
      const std::size_t size = name_token(f, tokens[i++], "owner name", buf);
      f.last_owner_broken = size == 0;
      if (size == 0) return;
      std::memcpy(f.last_owner, buf, size);
      f.last_owner_size = size;
    }
    rec.owner = Name::from_wire(std::string_view(reinterpret_cast<const char*>(f.last_owner), f.last_owner_size));

    // RFC 1035 §5.1: [<TTL>] [<class>] <type> <RDATA>, TTL and class in either order.
    std::optional<std::uint32_t> ttl;
    std::optional<std::uint16_t> rclass;
    while (i < tokens.size() && !tokens[i].quoted) {
      const ZoneToken& t = tokens[i];
      if (!ttl && t.text[0] >= '0' && t.text[0] <= '9') {
        std::uint32_t v;
        if (!parse_ttl(t.text, v)) return error(f, t.line, t.column, "invalid TTL " + quote(t.text));
        ttl = v;
      } else if (const auto c = rclass ? 0 : class_from_text(t.text); c != 0) {
        if (c != class_in) return error(f, t.line, t.column, "class " + quote(t.text) + " is not supported; only IN");
        rclass = c;
      } else {
        break;
      }
      ++i;
    }
    if (i >= tokens.size()) {
      const ZoneToken& last = tokens.back();
      return error(f, last.line, last.column + static_cast<int>(last.text.size()) + 1, "missing RR type");
    }
    const ZoneToken& type_token = tokens[i++];
    rec.type = type_token.quoted ? 0 : type_from_text(type_token.text);
    if (rec.type == 0) return error(f, type_token.line, type_token.column, "unknown RR type " + quote(type_token.text));
    if (is_meta_type(rec.type)) {
      return error(f, type_token.line, type_token.column,
                   "RR type " + quote(type_token.text) + " cannot appear in a zone file");
    }
    rec.rclass = class_in;

    const auto fields = std::span<const ZoneToken>(tokens).subspan(i);
    const std::string_view origin_wire = f.origin ? std::string_view(f.origin->wire()) : std::string_view();
    // Built in a reused buffer, then copied once: the record's vector gets
    // exactly its size, with no regrowth on the way (a 1M-record zone keeps
    // every one of these).
    std::vector<std::uint8_t>& rdata = rdata_scratch_;
    rdata.clear();
    if (!fast_rdata_to_wire(rec.type, fields, origin_wire, rdata)) {
      if (!f.origin_rdf && f.origin) f.origin_rdf = make_ldns_name(*f.origin);
      RdataError err;
      if (!ldns_rdata_to_wire(rec.type, type_token, fields, f.origin_rdf.get(), rdata, err)) {
        return error(f, err.line, err.column, err.message);
      }
    }

    rec.rdata.assign(rdata.begin(), rdata.end());
    if (rec.type == rr_type::soa && !soa_minimum_ && rec.rdata.size() >= 4) {
      const auto* m = rec.rdata.data() + rec.rdata.size() - 4;
      soa_minimum_ = (std::uint32_t{m[0]} << 24) | (std::uint32_t{m[1]} << 16) | (std::uint32_t{m[2]} << 8) | m[3];
    }
    if (ttl) {
      rec.ttl = *ttl;
    } else if (f.default_ttl) {
      rec.ttl = *f.default_ttl;
    } else if (soa_minimum_) {
      // RFC 2308 §4 made $TTL the default; before it, the SOA MINIMUM was.
      if (!warned_soa_minimum_ttl_) {
        warned_soa_minimum_ttl_ = true;
        warning(f, e.line, 1,
                "no $TTL before this record; records without a TTL get the SOA minimum " +
                    std::to_string(*soa_minimum_) + " (RFC 2308 §4: add $TTL)");
      }
      rec.ttl = *soa_minimum_;
    } else {
      return error(f, e.line, 1, "record has no TTL and no $TTL or SOA precedes it");
    }
    rec.where = {f.name, e.line};
    if (!begun_) {
      begun_ = true;
      sink_.begin(origin_, lines_);
    }
    sink_.take(std::move(rec));
  }

  const ZoneParseOptions& options_;
  base::DiagnosticList& diags_;
  RecordSink& sink_;
  std::optional<Name> origin_;
  std::size_t lines_ = 0;
  bool begun_ = false;
  fs::path root_;
  std::vector<fs::path> include_stack_;
  std::optional<std::uint32_t> soa_minimum_;
  bool warned_soa_minimum_ttl_ = false;
  std::vector<std::uint8_t> rdata_scratch_;
  bool records_seen_ = false;  // a record was attempted, even a broken one: $ORIGIN no longer names the zone
};

// Collects records into a ParsedZone.
class VectorSink final : public RecordSink {
 public:
  explicit VectorSink(std::vector<Record>& records) : records_(records) {}
  // Reserving spares the vector's regrowth, which would briefly hold the
  // records twice.
  void begin(const std::optional<Name>&, std::size_t lines) override { records_.reserve(lines); }
  void take(Record&& record) override { records_.push_back(std::move(record)); }

 private:
  std::vector<Record>& records_;
};

}  // namespace

std::optional<Name> parse_zone_text(std::string_view text, const std::string& display_name,
                                    const ZoneParseOptions& options, base::DiagnosticList& diags, RecordSink& sink) {
  Parser parser(options, diags, sink);
  parser.parse(text, display_name, {}, options.origin, std::nullopt, 0);
  return parser.origin();
}

std::optional<Name> parse_zone_file(const std::filesystem::path& path, const ZoneParseOptions& options,
                                    base::DiagnosticList& diags, RecordSink& sink) {
  std::string content;
  std::string read_error;
  if (!read_whole_file(path, content, read_error)) {
    diags.error(path.string(), 0, 0, "cannot read zone file: " + read_error);
    return options.origin;
  }
  Parser parser(options, diags, sink);
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(path, ec);
  parser.parse(content, path.string(), ec ? std::filesystem::path() : canonical, options.origin, std::nullopt, 0);
  return parser.origin();
}

ParsedZone parse_zone_text(std::string_view text, const std::string& display_name, const ZoneParseOptions& options,
                           base::DiagnosticList& diags) {
  ParsedZone zone;
  VectorSink sink(zone.records);
  zone.origin = parse_zone_text(text, display_name, options, diags, sink);
  return zone;
}

ParsedZone parse_zone_file(const std::filesystem::path& path, const ZoneParseOptions& options,
                           base::DiagnosticList& diags) {
  ParsedZone zone;
  VectorSink sink(zone.records);
  zone.origin = parse_zone_file(path, options, diags, sink);
  return zone;
}

std::optional<Name> origin_from_file_name(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  constexpr std::string_view suffix = ".zone";
  if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  std::string text = name.substr(0, name.size() - suffix.size());
  if (text.back() != '.') text += '.';
  return Name::parse(text);
}

}  // namespace gslb::dns
