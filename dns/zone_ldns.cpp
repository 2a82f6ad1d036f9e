#include "dns/zone_ldns.hpp"

#include <cstdlib>
#include <cstring>

#include "dns/rdata_text.hpp"

namespace gslb::dns {

namespace {

struct LdnsRrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};

// Fields that are exactly one token in presentation form, so a failing token
// can be named. Multi-token fields (base64, hex, strings, bitmaps) end the
// field-by-field walk; ldns' own message then has to do.
const char* describe_single_token_field(ldns_rdf_type t) {
  switch (t) {
    case LDNS_RDF_TYPE_A:
      return "IPv4 address";
    case LDNS_RDF_TYPE_AAAA:
      return "IPv6 address";
    case LDNS_RDF_TYPE_DNAME:
      return "domain name";
    case LDNS_RDF_TYPE_INT8:
      return "number (0-255)";
    case LDNS_RDF_TYPE_INT16:
      return "number (0-65535)";
    case LDNS_RDF_TYPE_INT32:
      return "number (0-4294967295)";
    case LDNS_RDF_TYPE_PERIOD:
      return "time value";
    case LDNS_RDF_TYPE_TYPE:
      return "RR type";
    default:
      return nullptr;
  }
}

std::uint32_t max_of(ldns_rdf_type t) {
  switch (t) {
    case LDNS_RDF_TYPE_INT8:
      return 0xff;
    case LDNS_RDF_TYPE_INT16:
      return 0xffff;
    default:
      return 0xffffffffu;
  }
}

bool is_int(ldns_rdf_type t) {
  return t == LDNS_RDF_TYPE_INT8 || t == LDNS_RDF_TYPE_INT16 || t == LDNS_RDF_TYPE_INT32;
}

int column_after(const ZoneToken& t) {
  return t.column + static_cast<int>(t.text.size());
}

// Walks the single-token fields in order. Numbers are range-checked here
// (ldns wraps them); other fields are tried with ldns one by one so the error
// names the token. Returns false with `error` set on the first bad field.
bool precheck_fields(std::uint16_t type, std::span<const ZoneToken> fields, RdataError& error) {
  const ldns_rr_descriptor* d = ldns_rr_descript(type);
  if (d == nullptr) return true;
  const std::size_t max = ldns_rr_descriptor_maximum(d);
  const std::string type_name = type_to_string(type);
  for (std::size_t i = 0; i < fields.size() && i < max; ++i) {
    const ldns_rdf_type ft = ldns_rr_descriptor_field_type(d, i);
    const char* what = describe_single_token_field(ft);
    if (what == nullptr || fields[i].quoted) return true;
    const std::string text(fields[i].text);
    bool ok;
    std::uint32_t v;
    if (is_int(ft)) {
      ok = parse_decimal(text, max_of(ft), v);
    } else if (ft == LDNS_RDF_TYPE_PERIOD) {
      ok = parse_ttl(text, v);  // ldns takes "-3" and wraps 2^32+5
    } else {
      ldns_rdf* rdf = ldns_rdf_new_frm_str(ft, text.c_str());
      ok = rdf != nullptr;
      ldns_rdf_deep_free(rdf);
    }
    if (!ok) {
      error = {fields[i].line, fields[i].column,
               "invalid " + std::string(what) + " '" + text + "' in " + type_name + " record"};
      return false;
    }
  }
  return true;
}

// After ldns refused the record: say which field is missing or extra when the
// layout is known, else pass on ldns' message.
RdataError explain_failure(std::uint16_t type, const ZoneToken& type_token, std::span<const ZoneToken> fields,
                           ldns_status status) {
  const std::string type_name = type_to_string(type);
  const ldns_rr_descriptor* d = ldns_rr_descript(type);
  const ZoneToken& first = fields.empty() ? type_token : fields.front();
  if (!fields.empty() && fields.front().text == "\\#") {
    return {first.line, first.column,
            "RDATA in \\# form is not valid " + type_name + " data (RFC 3597 §5): " + ldns_get_errorstr_by_id(status)};
  }
  if (d != nullptr) {
    bool all_single = true;
    const std::size_t max = ldns_rr_descriptor_maximum(d);
    for (std::size_t i = 0; i < max && i < fields.size() + 1; ++i) {
      if (describe_single_token_field(ldns_rr_descriptor_field_type(d, i)) == nullptr) all_single = false;
    }
    if (all_single && fields.size() < ldns_rr_descriptor_minimum(d)) {
      const char* what = describe_single_token_field(ldns_rr_descriptor_field_type(d, fields.size()));
      const ZoneToken& last = fields.empty() ? type_token : fields.back();
      return {last.line, column_after(last) + 1, "missing " + std::string(what) + " in " + type_name + " record"};
    }
    if (all_single && fields.size() > max) {
      return {fields[max].line, fields[max].column,
              "unexpected '" + std::string(fields[max].text) + "' after the data of the " + type_name + " record"};
    }
  }
  return {first.line, first.column, "invalid " + type_name + " record: " + ldns_get_errorstr_by_id(status)};
}

bool is_known_type(std::uint16_t type) {
  char* s = ldns_rr_type2str(static_cast<ldns_rr_type>(type));
  const bool known = s != nullptr && std::strncmp(s, "TYPE", 4) != 0;
  std::free(s);
  return known;
}

bool validate_known_rdata(std::uint16_t type, const std::vector<std::uint8_t>& rdata, const ZoneToken& at,
                          std::vector<std::uint8_t>& out, RdataError& error) {
  // A whole RR on the wire: root owner, type, class IN, TTL 0, RDLENGTH, RDATA.
  std::vector<std::uint8_t> wire = {
      0, static_cast<std::uint8_t>(type >> 8),         static_cast<std::uint8_t>(type),        0, 1, 0, 0, 0,
      0, static_cast<std::uint8_t>(rdata.size() >> 8), static_cast<std::uint8_t>(rdata.size())};
  wire.insert(wire.end(), rdata.begin(), rdata.end());
  ldns_rr* raw = nullptr;
  std::size_t pos = 0;
  const ldns_status status = ldns_wire2rr(&raw, wire.data(), wire.size(), &pos, LDNS_SECTION_ANSWER);
  std::unique_ptr<ldns_rr, LdnsRrDeleter> rr(raw);
  if (status == LDNS_STATUS_OK) {
    // Compression pointers would decode to other bytes: refused as well.
    std::vector<std::uint8_t> decoded;
    append_ldns_rdata(rr.get(), decoded);
    if (decoded == rdata && pos == wire.size()) {
      out.insert(out.end(), decoded.begin(), decoded.end());
      return true;
    }
  }
  error = {at.line, at.column, "RDATA in \\# form is not valid " + type_to_string(type) + " data (RFC 3597 §5)"};
  return false;
}

}  // namespace

LdnsRdfPtr make_ldns_name(const Name& name) {
  return LdnsRdfPtr(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, name.wire().size(), name.wire().data()));
}

std::string type_to_string(std::uint16_t type) {
  char* s = ldns_rr_type2str(static_cast<ldns_rr_type>(type));
  if (s == nullptr) return "TYPE" + std::to_string(type);
  std::string out(s);
  std::free(s);
  return out;
}

void append_ldns_rdata(const ldns_rr* rr, std::vector<std::uint8_t>& out) {
  // ldns keeps each field in its uncompressed wire form (names as full label
  // sequences), so the RDATA is the concatenation.
  for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
    const std::uint8_t* data = ldns_rdf_data(rdf);
    out.insert(out.end(), data, data + ldns_rdf_size(rdf));
  }
}

bool ldns_rdata_to_wire(std::uint16_t type, const ZoneToken& type_token, std::span<const ZoneToken> fields,
                        const ldns_rdf* origin, std::vector<std::uint8_t>& out, RdataError& error) {
  const bool rfc3597 = !fields.empty() && fields.front().text == "\\#";
  if (!rfc3597 && !precheck_fields(type, fields, error)) return false;

  // ldns parses whole records; give it a placeholder owner and TTL and keep
  // only its RDATA (the parser has already handled owner, TTL and class).
  std::string text = ". 0 IN ";
  text += type_token.text;
  for (const auto& f : fields) {
    text += ' ';
    text += f.text;
  }
  ldns_rr* raw = nullptr;
  const ldns_status status = ldns_rr_new_frm_str(&raw, text.c_str(), 0, const_cast<ldns_rdf*>(origin), nullptr);
  std::unique_ptr<ldns_rr, LdnsRrDeleter> rr(raw);
  if (status != LDNS_STATUS_OK) {
    error = explain_failure(type, type_token, fields, status);
    return false;
  }
  if (rfc3597 && is_known_type(type)) {
    // RFC 3597 §5: "\# len hex" RDATA of a known type must have that type's
    // format. Decode it as ldns would off the wire: that also expands any
    // compression pointer, which zone data must not contain.
    std::vector<std::uint8_t> rdata;
    append_ldns_rdata(rr.get(), rdata);
    return validate_known_rdata(type, rdata, fields.front(), out, error);
  }
  append_ldns_rdata(rr.get(), out);
  return true;
}

}  // namespace gslb::dns
