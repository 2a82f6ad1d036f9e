// ZoneTokenizer: splits the text of an RFC 1035 §5.1 master file into entries
// (one record or one $-directive each) made of tokens, handling comments,
// parentheses that continue an entry over several lines, quoted strings and
// backslash escapes. It only groups characters: decoding escapes and giving
// tokens meaning is left to the parser, so every token keeps its raw bytes
// and its line and column for diagnostics.
//
// Not thread-safe; one tokenizer per file being read. The tokenizer does not
// own the text: it must outlive the tokenizer and the tokens it hands out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gslb::dns {

struct ZoneToken {
  std::string_view text;  // raw bytes; a quoted token includes its quotes
  int line = 0;           // 1-based
  int column = 0;         // 1-based byte column
  bool quoted = false;
};

struct ZoneEntry {
  int line = 0;                   // the line the entry starts on
  bool owner_omitted = false;     // began with a blank: RFC 1035 §5.1, the previous owner applies
  std::vector<ZoneToken> tokens;  // never empty for a returned entry
};

struct ZoneSyntaxError {
  int line = 0;
  int column = 0;
  std::string message;
};

class ZoneTokenizer {
 public:
  explicit ZoneTokenizer(std::string_view text) : text_(text) {}

  enum class Result { entry, end, error };

  // Reads the next non-empty entry into `entry` (its vector is reused).
  // On Result::error, error() says what and where; the tokenizer has skipped
  // the rest of the bad line so that the next call resumes after it.
  Result next(ZoneEntry& entry);
  const ZoneSyntaxError& error() const { return error_; }

 private:
  int column() const { return static_cast<int>(pos_ - line_start_) + 1; }
  void skip_rest_of_line();
  Result fail(int line, int column, std::string message);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
  ZoneSyntaxError error_;
};

}  // namespace gslb::dns
