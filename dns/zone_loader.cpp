#include "dns/zone_loader.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "base/log.hpp"
#include "dns/zone_builder.hpp"
#include "dns/zone_parser.hpp"
#include "dns/zone_set.hpp"

namespace gslb::dns {

namespace fs = std::filesystem;

std::vector<fs::path> list_zone_files(const fs::path& dir, base::DiagnosticList& diags) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    diags.error(dir.string(), 0, 0, "cannot read zones directory: " + ec.message());
    return files;
  }
  for (const auto& entry : it) {
    const auto& path = entry.path();
    if (path.extension() != ".zone") continue;
    // is_regular_file follows symlinks: a linked zone file counts.
    if (!entry.is_regular_file(ec)) continue;
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

// Hands each parsed record straight to a checking ZoneBuilder, so that the
// zone is never held as Records (~165 bytes each) beside its index.
class BuilderSink final : public RecordSink {
 public:
  BuilderSink(const std::string& file, base::DiagnosticList& diags) : file_(file), diags_(diags) {}
  void begin(const std::optional<Name>& origin, std::size_t lines) override {
    if (origin) start(*origin, lines);
  }
  void take(Record&& record) override {
    if (builder_) builder_->add(record, diags_);
  }
  void start(const Name& origin, std::size_t expected_records) {
    builder_.emplace(origin, expected_records);
    builder_->enable_checks(file_);
  }
  ZoneBuilder* builder() { return builder_ ? &*builder_ : nullptr; }

 private:
  const std::string& file_;
  base::DiagnosticList& diags_;
  std::optional<ZoneBuilder> builder_;
};

}  // namespace

ZoneFileResult load_zone_file(const ZoneFileSpec& spec, base::DiagnosticList& diags) {
  ZoneFileResult result;
  result.file = spec.file;
  base::DiagnosticList local;
  ZoneParseOptions options;
  options.include_root = spec.include_root;
  options.origin = origin_from_file_name(spec.file);
  const std::string file = spec.file.string();
  BuilderSink sink(file, local);
  result.origin = parse_zone_file(spec.file, options, local, sink);
  if (!result.origin) {
    local.error(file, 1, 1, "the zone has no origin: start the file with $ORIGIN or name it <origin>.zone");
  } else {
    if (sink.builder() == nullptr) sink.start(*result.origin, 0);  // no record parsed
    // Checked even after syntax errors, so that one run reports everything;
    // only a zone without errors is indexed.
    if (local.has_errors()) {
      sink.builder()->check(local);
    } else {
      result.zone = sink.builder()->finish(local);
    }
  }
  result.errors = local.error_count();
  result.warnings = local.warning_count();
  diags.append(local);
  return result;
}

std::vector<ZoneFileResult> load_zone_files(const std::vector<ZoneFileSpec>& specs, base::DiagnosticList& diags) {
  std::vector<ZoneFileResult> results;
  std::map<std::string, fs::path> loaded;  // origin key → the file that has it
  for (const auto& spec : specs) {
    ZoneFileResult r = load_zone_file(spec, diags);
    if (r.origin) {
      const auto [it, inserted] = loaded.emplace(r.origin->canonical_key(), r.file);
      if (!inserted) {
        diags.error(r.file.string(), 1, 1,
                    "zone " + r.origin->to_string() + " is already loaded from " + it->second.string());
        ++r.errors;
        r.zone = nullptr;
      }
    }
    results.push_back(std::move(r));
  }
  return results;
}

ZoneSet::ConstPtr load_zone_directory(const ZoneLoadOptions& options, base::DiagnosticList& diags,
                                      const ZoneSet* previous) {
  base::DiagnosticList listing;
  const auto files = list_zone_files(options.zones_dir, listing);
  diags.append(listing);
  if (listing.has_errors() && previous != nullptr) {
    // The directory itself is unreadable: nothing tells which zones went
    // away, so keep serving them all.
    return std::make_shared<ZoneSet>(previous->zones());
  }

  std::vector<ZoneFileSpec> specs;
  specs.reserve(files.size());
  for (const auto& f : files) specs.push_back({f, options.zones_dir});
  const auto results = load_zone_files(specs, diags);

  std::vector<Zone::ConstPtr> zones;
  for (const auto& r : results) {
    if (r.zone) {
      zones.push_back(r.zone);
      continue;
    }
    Zone::ConstPtr old;
    if (previous != nullptr && r.origin) {
      for (const auto& z : previous->zones()) {
        if (z && z->origin() == *r.origin) old = z;
      }
    }
    // A duplicate origin's file never replaces the zone of the first file.
    const bool origin_taken = r.origin && std::any_of(zones.begin(), zones.end(), [&](const Zone::ConstPtr& z) {
                                return z->origin() == *r.origin;
                              });
    if (old && !origin_taken) {
      zones.push_back(old);
      if (!options.dry_run) {
        base::log_warning("zones", r.file.string(), ": ", r.errors, " errors; still serving the previous version of ",
                          old->origin().to_string(), " (serial ", old->serial(), ")");
      }
    } else if (!options.dry_run) {
      base::log_error("zones", r.file.string(), ": ", r.errors, " errors; zone ",
                      r.origin ? r.origin->to_string() : std::string("(no origin)"), " is not served");
    }
  }
  return std::make_shared<ZoneSet>(std::move(zones));
}

}  // namespace gslb::dns
