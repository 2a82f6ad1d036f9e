// Test support (used only by *_test.cpp, the fuzz target and the micro
// benchmark): zones from presentation-format lines and queries/responses
// through ldns, so that tests state records the way zone files do and check
// our wire output with an independent parser.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "dns/record.hpp"
#include "dns/zone.hpp"

// clang-format off
// Last: ldns' headers redefine `bool`/`false` in ways <optional> and <compare> trip over.
#include <ldns/ldns.h>
// clang-format on

namespace gslb::dns::testing {

// One RR from text; relative names are completed with `origin`.
inline Record record_from_text(const std::string& text, const std::string& origin) {
  ldns_rdf* origin_rdf = ldns_dname_new_frm_str(origin.c_str());
  ldns_rr* rr = nullptr;
  const ldns_status st = ldns_rr_new_frm_str(&rr, text.c_str(), 3600, origin_rdf, nullptr);
  ldns_rdf_deep_free(origin_rdf);
  if (st != LDNS_STATUS_OK) throw std::runtime_error("bad test record: " + text + ": " + ldns_get_errorstr_by_id(st));
  Record r;
  const ldns_rdf* owner = ldns_rr_owner(rr);
  r.owner =
      Name::from_wire(std::string_view(reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner)));
  r.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
  r.rclass = static_cast<std::uint16_t>(ldns_rr_get_class(rr));
  r.ttl = ldns_rr_ttl(rr);
  ldns_buffer* buffer = ldns_buffer_new(512);
  ldns_rr_rdata2buffer_wire(buffer, rr);
  r.rdata.assign(ldns_buffer_begin(buffer), ldns_buffer_begin(buffer) + ldns_buffer_position(buffer));
  ldns_buffer_free(buffer);
  ldns_rr_free(rr);
  return r;
}

inline Zone::ConstPtr zone_from_text(const std::string& origin, const std::vector<std::string>& lines,
                                     base::DiagnosticList* diags_out = nullptr) {
  std::vector<Record> records;
  for (const auto& line : lines) records.push_back(record_from_text(line, origin));
  base::DiagnosticList diags;
  auto zone = Zone::build(*Name::parse(origin), std::move(records), diags);
  if (diags_out != nullptr) *diags_out = diags;
  return zone;
}

// A query packet in wire form.
inline std::vector<std::uint8_t> query_wire(const std::string& name, ldns_rr_type type,
                                            ldns_rr_class rclass = LDNS_RR_CLASS_IN, int edns_size = -1,
                                            bool dnssec_ok = false, std::uint16_t id = 4242) {
  ldns_pkt* pkt = nullptr;
  if (ldns_pkt_query_new_frm_str(&pkt, name.c_str(), type, rclass, LDNS_RD) != LDNS_STATUS_OK)
    throw std::runtime_error("bad query name " + name);
  ldns_pkt_set_id(pkt, id);
  if (edns_size >= 0) {
    ldns_pkt_set_edns_udp_size(pkt, static_cast<std::uint16_t>(edns_size));
    ldns_pkt_set_edns_do(pkt, dnssec_ok);
  }
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  ldns_pkt2wire(&wire, pkt, &size);
  std::vector<std::uint8_t> out(wire, wire + size);
  LDNS_FREE(wire);
  ldns_pkt_free(pkt);
  return out;
}

// "owner ttl class type rdata" per RR of a section, as ldns prints it
// (single spaces, no trailing newline).
inline std::vector<std::string> section_text(const ldns_rr_list* list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
    char* s = ldns_rr2str(ldns_rr_list_rr(list, i));
    std::string line(s);
    LDNS_FREE(s);
    for (auto& c : line)
      if (c == '\t') c = ' ';
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    out.push_back(line);
  }
  return out;
}

}  // namespace gslb::dns::testing
