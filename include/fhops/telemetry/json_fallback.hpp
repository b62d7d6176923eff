/// \file
/// A strict JSON reader for the well-formed text simdjson refuses but Python's `json` writes and
/// reads: integers beyond 64 bits (read as the nearest double), numbers beyond the double range
/// (`1e999` is infinity, `1e-999` zero, as Python's float() reads them) and lone UTF-16 surrogate
/// escapes (`"\ud800"`, read as U+FFFD). Everything else is RFC 8259 JSON plus Python's `NaN`,
/// `Infinity` and `-Infinity`: torn, invalid and non-UTF-8 text is still refused. It is the slow
/// path of json_parser, tried only when simdjson fails; the line itself is kept verbatim by the
/// maintenance commands and the store, so the approximations only affect fields read from it.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "fhops/telemetry/json_value.hpp"

namespace fhops::telemetry {

namespace detail {

// Recursive descent over one JSON text; nesting deeper than max_depth is refused (no stack overflow).
class tolerant_json_reader {
public:
  explicit tolerant_json_reader(std::string_view text) : s_(text) {}

  std::optional<json> document() {
    skip_space();
    auto v = value(0);
    skip_space();
    if (!v || i_ != s_.size()) return std::nullopt;
    return v;
  }

private:
  static constexpr int max_depth = 1024;  // simdjson's default

  bool more() const { return i_ < s_.size(); }
  char peek() const { return s_[i_]; }

  void skip_space() {
    while (more() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++i_;
  }

  bool eat(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  std::optional<json> value(int depth) {
    if (depth > max_depth || !more()) return std::nullopt;
    switch (peek()) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': {
        auto s = string();
        if (!s) return std::nullopt;
        return json(std::move(*s));
      }
      case 't': return eat("true") ? std::optional<json>(json(true)) : std::nullopt;
      case 'f': return eat("false") ? std::optional<json>(json(false)) : std::nullopt;
      case 'n': return eat("null") ? std::optional<json>(json()) : std::nullopt;
      case 'N': return eat("NaN") ? std::optional<json>(json(std::numeric_limits<double>::quiet_NaN())) : std::nullopt;
      case 'I': return eat("Infinity") ? std::optional<json>(json(std::numeric_limits<double>::infinity())) : std::nullopt;
      default: return number();
    }
  }

  // `[` or `{` ... the matching `close`: items separated by commas, each read by `item()`.
  template <class Item>
  bool sequence(char close, Item&& item) {
    ++i_;
    skip_space();
    if (more() && peek() == close) {
      ++i_;
      return true;
    }
    for (;;) {
      skip_space();
      if (!item()) return false;
      skip_space();
      if (!more()) return false;
      if (peek() == close) {
        ++i_;
        return true;
      }
      if (peek() != ',') return false;
      ++i_;
    }
  }

  std::optional<json> object(int depth) {
    json::object o;
    const bool ok = sequence('}', [&] {
      if (!more() || peek() != '"') return false;
      auto key = string();
      skip_space();
      if (!key || !more() || peek() != ':') return false;
      ++i_;
      skip_space();
      auto v = value(depth + 1);
      if (!v) return false;
      o.emplace_back(std::move(*key), std::move(*v));
      return true;
    });
    return ok ? std::optional<json>(json(std::move(o))) : std::nullopt;
  }

  std::optional<json> array(int depth) {
    json::array a;
    const bool ok = sequence(']', [&] {
      auto v = value(depth + 1);
      if (v) a.push_back(std::move(*v));
      return v.has_value();
    });
    return ok ? std::optional<json>(json(std::move(a))) : std::nullopt;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // Four hex digits after "\u" (i_ at the first digit).
  std::optional<std::uint32_t> hex4() {
    if (i_ + 4 > s_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else return std::nullopt;
    }
    return v;
  }

  // Length of the well-formed UTF-8 sequence at i_ (lead byte >= 0x80), 0 when ill-formed.
  std::size_t utf8_length() const {
    const auto b = [&](std::size_t k) { return i_ + k < s_.size() ? static_cast<unsigned char>(s_[i_ + k]) : 0u; };
    const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) { return b(k) >= lo && b(k) <= hi; };
    const unsigned c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no encoded surrogates
    if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
  }

  std::optional<std::string> string() {
    ++i_;
    std::string out;
    while (more()) {
      const char c = s_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      if (static_cast<unsigned char>(c) >= 0x80) {
        const std::size_t n = utf8_length();
        if (n == 0) return std::nullopt;
        out.append(s_.substr(i_, n));
        i_ += n;
        continue;
      }
      ++i_;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (!more()) return std::nullopt;
      switch (s_[i_++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          auto cp = hex4();
          if (!cp) return std::nullopt;
          if (*cp >= 0xD800 && *cp <= 0xDBFF && s_.substr(i_, 2) == "\\u") {
            const std::size_t at = i_;
            i_ += 2;
            const auto low = hex4();
            if (!low) return std::nullopt;
            if (*low >= 0xDC00 && *low <= 0xDFFF) {
              append_utf8(out, 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00));
              break;
            }
            i_ = at;  // a lone high surrogate followed by another escape: read that one next
          }
          append_utf8(out, *cp >= 0xD800 && *cp <= 0xDFFF ? 0xFFFD : *cp);
          break;
        }
        default: return std::nullopt;
      }
    }
    return std::nullopt;  // torn: no closing quote
  }

  std::optional<json> number() {
    const std::size_t start = i_;
    const bool negative = more() && peek() == '-';
    if (negative) {
      ++i_;
      if (eat("Infinity")) return json(-std::numeric_limits<double>::infinity());
    }
    const auto digits = [&] {
      const std::size_t from = i_;
      while (more() && peek() >= '0' && peek() <= '9') ++i_;
      return i_ - from;
    };
    if (!more()) return std::nullopt;
    if (peek() == '0') ++i_;
    else if (digits() == 0) return std::nullopt;
    const std::size_t int_end = i_;
    bool integer = true;
    if (more() && peek() == '.') {
      ++i_;
      integer = false;
      if (digits() == 0) return std::nullopt;
    }
    const std::size_t mantissa_end = i_;
    long long exponent = 0;
    if (more() && (peek() == 'e' || peek() == 'E')) {
      ++i_;
      integer = false;
      bool minus = false;
      if (more() && (peek() == '+' || peek() == '-')) minus = s_[i_++] == '-';
      const std::size_t from = i_;
      if (digits() == 0) return std::nullopt;
      for (std::size_t k = from; k < i_; ++k) exponent = std::min<long long>(exponent * 10 + (s_[k] - '0'), 1'000'000'000LL);
      if (minus) exponent = -exponent;
    }
    const std::string_view text = s_.substr(start, i_ - start);
    if (integer) {
      long long v = 0;
      const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return json(v);
    }
    double d = 0.0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), d);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return json(d);
    if (r.ec != std::errc::result_out_of_range) return std::nullopt;
    // Out of the double range: infinity when the value is large, zero when it is tiny. Its decimal
    // magnitude is the position of the first non-zero digit plus the exponent.
    long long magnitude = 0;
    bool nonzero = false;
    for (std::size_t k = start + (negative ? 1 : 0); k < mantissa_end && !nonzero; ++k) {
      const char c = s_[k];
      if (c == '.') continue;
      if (c != '0') {
        nonzero = true;
        magnitude = k < int_end ? static_cast<long long>(int_end - k) : -static_cast<long long>(k - int_end - 1);
      }
    }
    const double big = nonzero && magnitude + exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return json(negative ? -big : big);
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace detail

/// Parses JSON text that simdjson refused (see the file comment); nullopt when it is not JSON.
inline std::optional<json> parse_json_tolerant(std::string_view text) { return detail::tolerant_json_reader(text).document(); }

}  // namespace fhops::telemetry
