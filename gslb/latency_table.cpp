#include "gslb/latency_table.hpp"

#include <algorithm>

namespace gslb::policy {

bool LatencyTable::Builder::add(const base::Prefix& prefix, std::string_view region, double rtt_ms) {
  auto [name, inserted] = name_ids_.try_emplace(std::string(region), static_cast<std::uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(region);
  std::vector<Entry>& row = rows_[prefix];
  for (const Entry& e : row)
    if (e.region_name == name->second) return false;
  row.push_back({name->second, static_cast<float>(rtt_ms)});
  return true;
}

std::shared_ptr<const LatencyTable> LatencyTable::Builder::build() && {
  auto out = std::make_shared<LatencyTable>();
  out->names_ = std::move(names_);
  // Rows in prefix order: deterministic ids whatever the input order, and
  // explain/tests read them in a natural order.
  std::vector<base::Prefix> order;
  order.reserve(rows_.size());
  for (const auto& [prefix, entries] : rows_) order.push_back(prefix);
  std::sort(order.begin(), order.end());
  out->row_begin_.reserve(order.size() + 1);
  out->row_begin_.push_back(0);
  for (const base::Prefix& prefix : order) {
    const std::vector<Entry>& entries = rows_[prefix];
    out->entries_.insert(out->entries_.end(), entries.begin(), entries.end());
    out->row_begin_.push_back(static_cast<std::uint32_t>(out->entries_.size()));
    out->trie_.insert(prefix, prefix);  // the row's number is its place in trie_.values()
  }
  out->trie_.shrink_to_fit();
  rows_.clear();
  name_ids_.clear();
  return out;
}

LatencyTable::Match LatencyTable::lookup(const base::IpAddress& address, int max_length) const noexcept {
  const geo::PrefixTrie<base::Prefix>::Match m = trie_.lookup(address, max_length);
  Match out;
  if (m.value != nullptr) out.row = static_cast<std::int32_t>(m.value - trie_.values().data());
  out.matched_length = m.matched_length;
  out.scope_length = m.scope_length;
  return out;
}

PolicyLatency::PolicyLatency(LatencyTablePtr table, const std::vector<std::string>& region_names)
    : table_(std::move(table)) {
  if (table_ == nullptr) return;
  const auto& names = table_->region_names();
  std::vector<int> ids(names.size(), -1);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto it = std::lower_bound(region_names.begin(), region_names.end(), names[i]);
    if (it != region_names.end() && *it == names[i])
      ids[i] = static_cast<int>(it - region_names.begin());
    else
      unknown_names_.push_back(static_cast<std::uint32_t>(i));
  }
  row_begin_.reserve(table_->row_count() + 1);
  row_begin_.push_back(0);
  for (std::size_t r = 0; r < table_->row_count(); ++r) {
    const std::size_t begin = entries_.size();
    for (const LatencyTable::Entry& e : table_->entries(static_cast<std::int32_t>(r)))
      if (ids[e.region_name] >= 0) entries_.push_back({static_cast<std::uint16_t>(ids[e.region_name]), e.rtt_ms});
    std::sort(entries_.begin() + static_cast<std::ptrdiff_t>(begin), entries_.end(),
              [](const RegionRtt& a, const RegionRtt& b) { return a.region < b.region; });
    row_begin_.push_back(static_cast<std::uint32_t>(entries_.size()));
  }
  entries_.shrink_to_fit();
}

float PolicyLatency::rtt(std::int32_t row, std::uint16_t region) const noexcept {
  // Rows are a handful of regions: a linear scan beats a binary search.
  for (const RegionRtt& e : this->row(row))
    if (e.region == region) return e.rtt_ms;
  return -1.0F;
}

}  // namespace gslb::policy
