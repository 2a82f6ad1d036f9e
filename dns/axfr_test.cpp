#include "dns/axfr.hpp"

#include <doctest/doctest.h>

#include <cstring>

#include "dns/notify.hpp"
#include "dns/query_log.hpp"

using namespace gslb;
using namespace gslb::dns;

namespace {

// A zone made directly from records, so these tests need no zone parser.
class ListZone : public Zone {
 public:
  ListZone(Name origin, std::vector<Record> records) : Zone(std::move(origin)), records_(std::move(records)) {}
  std::uint32_t serial() const override { return 7; }
  std::size_t record_count() const override { return records_.size(); }
  std::vector<Record> records_for_transfer() const override { return records_; }
  Record soa_record() const override { return records_.front(); }

 private:
  std::vector<Record> records_;
};

Record record(const char* owner, std::uint16_t type, std::size_t rdata_size, std::uint8_t fill = 1) {
  Record r;
  r.owner = *Name::parse(owner);
  r.type = type;
  r.ttl = 3600;
  r.rdata.assign(rdata_size, fill);
  return r;
}

// An AXFR query for example.com with ID 0x1234 and RD set.
std::vector<std::uint8_t> axfr_query() {
  std::vector<std::uint8_t> q = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  const Name name = *Name::parse("example.com.");
  q.insert(q.end(), name.wire().begin(), name.wire().end());
  q.insert(q.end(), {0, 252, 0, 1});
  return q;
}

std::uint16_t get16(const std::vector<std::uint8_t>& m, std::size_t at) {
  return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}

ListZone example_zone(std::size_t a_records, std::size_t rdata_size) {
  std::vector<Record> records;
  records.push_back(record("example.com.", 6, 40));
  for (std::size_t i = 0; i < a_records; ++i) records.push_back(record("www.example.com.", 1, rdata_size));
  return ListZone(*Name::parse("example.com."), std::move(records));
}

}  // namespace

TEST_CASE("AXFR: SOA first and last, question only in the first message, messages bounded") {
  const ListZone zone = example_zone(1000, 4);
  const auto query = axfr_query();
  AxfrWriter writer(query, zone, 16 * 1024);
  REQUIRE(writer.valid());
  std::vector<std::uint8_t> message;
  std::size_t messages = 0, answers = 0;
  std::vector<std::uint16_t> types;
  while (writer.next(message)) {
    ++messages;
    REQUIRE(message.size() >= 14);
    CHECK(get16(message, 0) == message.size() - 2);  // TCP length prefix
    CHECK(message.size() - 2 <= 16 * 1024);
    CHECK(get16(message, 2) == 0x1234);                   // ID echoed
    CHECK(message[4] == 0x85);                            // QR, AA, RD echoed
    CHECK((message[5] & 0x0F) == 0);                      // NOERROR
    CHECK(get16(message, 6) == (messages == 1 ? 1 : 0));  // QDCOUNT
    const auto count = get16(message, 8);
    answers += count;
    // Walk the records: uncompressed owner, then type/class/ttl/rdlength.
    std::size_t at = 2 + 12;
    if (messages == 1) at += question_length({message.data() + 2, message.size() - 2});
    for (unsigned i = 0; i < count; ++i) {
      while (message[at] != 0) at += message[at] + 1u;
      ++at;
      types.push_back(get16(message, at));
      at += 8;
      at += 2 + get16(message, at);
    }
    CHECK(at == message.size());
  }
  CHECK(messages > 1);
  CHECK(answers == 1002);
  CHECK(types.front() == 6);
  CHECK(types.back() == 6);
  CHECK(std::count(types.begin(), types.end(), 6) == 2);
  CHECK_FALSE(writer.next(message));
  CHECK(message.empty());
}

TEST_CASE("AXFR: a record larger than the soft limit gets a message of its own") {
  const ListZone zone = example_zone(2, 20000);
  const auto query = axfr_query();
  AxfrWriter writer(query, zone, 16 * 1024);
  std::vector<std::uint8_t> message;
  std::vector<std::size_t> counts;
  while (writer.next(message)) counts.push_back(get16(message, 8));
  // Neither big record fits beside another: SOA, A, A, SOA.
  CHECK(counts == std::vector<std::size_t>{1, 1, 1, 1});
}

TEST_CASE("the transfer allow-list matches prefixes") {
  const std::vector<base::AddressPrefix> allow = {*base::AddressPrefix::parse("127.0.0.2/32"),
                                                  *base::AddressPrefix::parse("::1")};
  CHECK(axfr_allowed(allow, base::SocketAddress::parse("127.0.0.2:4000")->storage()));
  CHECK_FALSE(axfr_allowed(allow, base::SocketAddress::parse("127.0.0.1:4000")->storage()));
  CHECK(axfr_allowed(allow, base::SocketAddress::parse("[::1]:4000")->storage()));
  CHECK_FALSE(axfr_allowed({}, base::SocketAddress::parse("[::1]:4000")->storage()));
}

TEST_CASE("NOTIFY carries opcode 4, AA, the zone question and its SOA") {
  const ListZone zone = example_zone(1, 4);
  const auto message = build_notify(0xBEEF, zone);
  CHECK(get16(message, 0) == 0xBEEF);
  CHECK(message[2] == (4 << 3 | 0x04));
  CHECK(get16(message, 4) == 1);
  CHECK(get16(message, 6) == 1);
  CHECK(describe_question(message) == "example.com. SOA");
  CHECK(message.size() == 12 + 13 + 4 + 13 + 10 + 40);

  std::vector<std::uint8_t> reply(message.begin(), message.begin() + 12);
  reply[2] |= 0x80;
  unsigned rcode = 99;
  CHECK(is_notify_response(reply, 0xBEEF, rcode));
  CHECK(rcode == 0);
  CHECK_FALSE(is_notify_response(reply, 0xBEEE, rcode));
  reply[2] &= 0x7F;
  CHECK_FALSE(is_notify_response(reply, 0xBEEF, rcode));  // a request, not a response
}

TEST_CASE("query log descriptions are bounds-checked") {
  auto query = axfr_query();
  CHECK(describe_question(query) == "example.com. AXFR");
  query[query.size() - 3] = 1;  // QTYPE 1 → A
  CHECK(describe_question(query) == "example.com. A");
  CHECK(describe_question(std::vector<std::uint8_t>(query.begin(), query.begin() + 15)) == "? ?");
  CHECK(describe_question(std::vector<std::uint8_t>(5, 0)) == "? ?");
  std::vector<std::uint8_t> response(12, 0);
  response[3] = 3;
  CHECK(describe_rcode(response) == "NXDOMAIN");
  CHECK(describe_rcode({}) == "-");
}
