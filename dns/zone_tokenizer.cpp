#include "dns/zone_tokenizer.hpp"

namespace gslb::dns {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// Characters that end an unquoted token (RFC 1035 §5.1 special characters).
bool ends_token(char c) {
  return is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"';
}

}  // namespace

void ZoneTokenizer::skip_rest_of_line() {
  while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  if (pos_ < text_.size()) {
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }
}

ZoneTokenizer::Result ZoneTokenizer::fail(int line, int column, std::string message) {
  error_ = {line, column, std::move(message)};
  return Result::error;
}

ZoneTokenizer::Result ZoneTokenizer::next(ZoneEntry& entry) {
  entry.tokens.clear();
  int depth = 0;
  int open_line = 0;
  int open_column = 0;
  bool at_line_start = true;

  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (at_line_start && depth == 0 && entry.tokens.empty()) {
      // RFC 1035 §5.1: an entry whose first character is a blank reuses the
      // previous owner. Decided per line until the entry has a token.
      entry.owner_omitted = is_blank(c);
      entry.line = line_;
      at_line_start = false;
    }
    if (is_blank(c)) {
      ++pos_;
      continue;
    }
    if (c == ';') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      continue;
    }
    if (c == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
      at_line_start = true;
      if (depth == 0 && !entry.tokens.empty()) return Result::entry;
      continue;
    }
    if (c == '(') {
      if (depth == 0) {
        open_line = line_;
        open_column = column();
      }
      ++depth;
      ++pos_;
      continue;
    }
    if (c == ')') {
      if (depth == 0) {
        const int line = line_;
        const int col = column();
        skip_rest_of_line();
        return fail(line, col, "')' without a matching '('");
      }
      --depth;
      ++pos_;
      continue;
    }

    ZoneToken token;
    token.line = line_;
    token.column = column();
    const std::size_t start = pos_;
    if (c == '"') {
      token.quoted = true;
      ++pos_;
      bool closed = false;
      while (pos_ < text_.size()) {
        const char q = text_[pos_];
        if (q == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
          pos_ += 2;
        } else if (q == '"') {
          ++pos_;
          closed = true;
          break;
        } else if (q == '\n') {
          break;
        } else {
          ++pos_;
        }
      }
      if (!closed) {
        const int line = token.line;
        // Resynchronise after the entry: a broken quote inside parentheses
        // would otherwise turn the rest of the record into new entries.
        skip_rest_of_line();
        if (depth > 0) {
          while (pos_ < text_.size() && text_[pos_] != ')') {
            if (text_[pos_] == '\n') {
              ++line_;
              line_start_ = pos_ + 1;
            }
            ++pos_;
          }
          skip_rest_of_line();
        }
        return fail(line, token.column, "unterminated quoted string");
      }
    } else {
      while (pos_ < text_.size()) {
        const char t = text_[pos_];
        if (t == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
          pos_ += 2;
        } else if (ends_token(t)) {
          break;
        } else {
          ++pos_;
        }
      }
    }
    token.text = text_.substr(start, pos_ - start);
    entry.tokens.push_back(token);
  }

  if (depth > 0) return fail(open_line, open_column, "'(' without a matching ')' before the end of the file");
  return entry.tokens.empty() ? Result::end : Result::entry;
}

}  // namespace gslb::dns
