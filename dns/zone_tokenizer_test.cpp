#include "dns/zone_tokenizer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace gslb::dns {
namespace {

struct Collected {
  std::vector<ZoneEntry> entries;
  std::vector<ZoneSyntaxError> errors;
};

Collected tokenize(std::string_view text) {
  Collected out;
  ZoneTokenizer tokenizer(text);
  ZoneEntry entry;
  for (int guard = 0; guard < 1000; ++guard) {
    const auto r = tokenizer.next(entry);
    if (r == ZoneTokenizer::Result::end) break;
    if (r == ZoneTokenizer::Result::error) {
      out.errors.push_back(tokenizer.error());
    } else {
      out.entries.push_back(entry);
    }
  }
  return out;
}

std::vector<std::string> texts(const ZoneEntry& e) {
  std::vector<std::string> out;
  for (const auto& t : e.tokens) out.emplace_back(t.text);
  return out;
}

TEST_CASE("tokenizer: one entry per line, comments and blank lines skipped") {
  const auto c = tokenize("; header\n\nwww A 192.0.2.1 ; trailing\n  \n\tAAAA 2001:db8::1\n");
  REQUIRE(c.errors.empty());
  REQUIRE(c.entries.size() == 2);
  CHECK(texts(c.entries[0]) == std::vector<std::string>{"www", "A", "192.0.2.1"});
  CHECK(c.entries[0].line == 3);
  CHECK_FALSE(c.entries[0].owner_omitted);
  CHECK(texts(c.entries[1]) == std::vector<std::string>{"AAAA", "2001:db8::1"});
  CHECK(c.entries[1].line == 5);
  CHECK(c.entries[1].owner_omitted);
  CHECK(c.entries[0].tokens[2].column == 7);
}

TEST_CASE("tokenizer: parentheses join lines; the entry keeps its first line") {
  const auto c = tokenize(
      "x 1\n"
      "@ IN SOA ns1 host ( ; comment inside\n"
      "   1 ; serial\n"
      "   2 3 4\n"
      "   5 )\n"
      "next A 192.0.2.1\n");
  REQUIRE(c.errors.empty());
  REQUIRE(c.entries.size() == 3);
  CHECK(c.entries[1].line == 2);
  CHECK(texts(c.entries[1]) == std::vector<std::string>{"@", "IN", "SOA", "ns1", "host", "1", "2", "3", "4", "5"});
  CHECK(c.entries[1].tokens[5].line == 3);
  CHECK(c.entries[1].tokens[9].line == 5);
  CHECK(c.entries[2].line == 6);
}

TEST_CASE("tokenizer: quoted strings keep blanks, semicolons, parentheses and escaped quotes") {
  const auto c = tokenize("t TXT \"a b; (c)\" \"say \\\"hi\\\"\" plain\\ word\n");
  REQUIRE(c.errors.empty());
  REQUIRE(c.entries.size() == 1);
  CHECK(texts(c.entries[0]) ==
        std::vector<std::string>{"t", "TXT", "\"a b; (c)\"", "\"say \\\"hi\\\"\"", "plain\\ word"});
  CHECK(c.entries[0].tokens[2].quoted);
  CHECK_FALSE(c.entries[0].tokens[4].quoted);
}

TEST_CASE("tokenizer: last line without a newline still counts") {
  const auto c = tokenize("a A 192.0.2.1");
  REQUIRE(c.entries.size() == 1);
  CHECK(c.entries[0].tokens.size() == 3);
}

TEST_CASE("tokenizer: errors carry line and column, and reading resumes") {
  SUBCASE("unterminated quote") {
    const auto c = tokenize("a TXT \"open\nb A 192.0.2.1\n");
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0].line == 1);
    CHECK(c.errors[0].column == 7);
    CHECK(c.errors[0].message == "unterminated quoted string");
    REQUIRE(c.entries.size() == 1);
    CHECK(c.entries[0].line == 2);
  }
  SUBCASE("stray closing parenthesis") {
    const auto c = tokenize("a A 192.0.2.1 )\nb A 192.0.2.2\n");
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0].line == 1);
    CHECK(c.errors[0].column == 15);
    REQUIRE(c.entries.size() == 1);
    CHECK(c.entries[0].line == 2);
  }
  SUBCASE("parenthesis never closed: reported where it opened") {
    const auto c = tokenize("a A 192.0.2.1\n@ SOA a b ( 1 2\n 3 4 5\n");
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0].line == 2);
    CHECK(c.errors[0].column == 11);
    CHECK(c.entries.size() == 1);
  }
}

}  // namespace
}  // namespace gslb::dns
