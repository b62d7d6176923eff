/// \file
/// Reading telemetry JSON with simdjson: one value from text, and JSONL files streamed line by line.
/// A reader meets crash damage gracefully: a torn or invalid line (a writer killed mid-record, a
/// fragment left before the next append) produces a warning naming the file and line and is
/// skipped; the rest of the file is read. Python's non-standard `NaN`, `Infinity` and `-Infinity`
/// (which the reference writes for non-finite floats) are accepted, and so is the JSON simdjson
/// refuses but Python writes (numbers beyond 64 bits or the double range, lone surrogate escapes;
/// json_fallback.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <simdjson.h>

#include "fhops/telemetry/json_fallback.hpp"
#include "fhops/telemetry/json_value.hpp"
#include "fhops/util/input_error.hpp"
#include "fhops/util/input_file.hpp"

namespace fhops::telemetry {

namespace detail {

// Marker strings standing in for Python's non-finite float literals while simdjson parses.
inline constexpr std::string_view nan_marker = "\x01NaN", inf_marker = "\x01Infinity", ninf_marker = "\x01-Infinity";

inline json from_element(simdjson::dom::element e) {
  using t = simdjson::dom::element_type;
  switch (e.type()) {
    case t::NULL_VALUE: return json{};
    case t::BOOL: return json(static_cast<bool>(e.get_bool().value_unsafe()));
    case t::INT64: return json(static_cast<long long>(e.get_int64().value_unsafe()));
    case t::UINT64: return json(static_cast<double>(e.get_uint64().value_unsafe()));
    case t::DOUBLE: return json(e.get_double().value_unsafe());
    case t::STRING: {
      const std::string_view s = e.get_string().value_unsafe();
      if (!s.empty() && s[0] == '\x01') {
        if (s == nan_marker) return json(std::numeric_limits<double>::quiet_NaN());
        if (s == inf_marker) return json(std::numeric_limits<double>::infinity());
        if (s == ninf_marker) return json(-std::numeric_limits<double>::infinity());
      }
      return json(s);
    }
    case t::ARRAY: {
      json::array a;
      const simdjson::dom::array arr = e.get_array().value_unsafe();  // a copy: the result is a temporary
      for (simdjson::dom::element x : arr) a.push_back(from_element(x));
      return json(std::move(a));
    }
    case t::OBJECT: {
      json::object o;
      const simdjson::dom::object obj = e.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair kv : obj)
        o.emplace_back(std::string(kv.key), from_element(kv.value));
      return json(std::move(o));
    }
  }
  return json{};
}

// The text with Python's NaN/Infinity/-Infinity (outside strings) replaced by marker strings, or
// nullopt when there are none.
inline std::optional<std::string> replace_python_nonfinite(std::string_view s) {
  std::string out;
  bool in_string = false, changed = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < s.size()) out += s[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    const auto token = [&](std::string_view word, std::string_view marker) {
      if (s.substr(i, word.size()) != word) return false;
      out += "\"\\u0001";  // the marker's control character, escaped as JSON requires
      out += marker.substr(1);
      out += '"';
      i += word.size() - 1;
      changed = true;
      return true;
    };
    if (c == 'N' && token("NaN", nan_marker)) continue;
    if (c == 'I' && token("Infinity", inf_marker)) continue;
    if (c == '-' && token("-Infinity", ninf_marker)) continue;
    out += c;
  }
  if (!changed) return std::nullopt;
  return out;
}

}  // namespace detail

/// Parses JSON text with a reusable simdjson parser. `text` must stay readable for
/// SIMDJSON_PADDING bytes past its end when `padded` is true; otherwise it is copied.
class json_parser {
public:
  /// The value, or nullopt when the text is not valid JSON (`error` then says why).
  std::optional<json> parse(std::string_view text, bool padded = false, std::string* error = nullptr) {
    simdjson::dom::element e;
    auto err = parser_.parse(text.data(), text.size(), !padded).get(e);
    if (!err) return detail::from_element(e);
    if (auto fixed = detail::replace_python_nonfinite(text)) {
      if (!parser_.parse(fixed->data(), fixed->size(), true).get(e)) return detail::from_element(e);
    }
    if (auto v = parse_json_tolerant(text)) return v;  // huge numbers, lone surrogates: valid JSON all the same
    if (error) *error = simdjson::error_message(err);
    return std::nullopt;
  }

private:
  simdjson::dom::parser parser_;
};

/// Parses one JSON value (throws std::invalid_argument when the text is not JSON).
inline json parse_json(std::string_view text) {
  json_parser p;
  std::string error;
  auto v = p.parse(text, false, &error);
  if (!v) throw std::invalid_argument("invalid JSON: " + error);
  return std::move(*v);
}

/// A line of a JSONL file that could not be used.
struct jsonl_warning {
  std::string path;
  std::size_t line = 0;    ///< 1-based
  std::string reason;
  /// `path:line: reason` (one line, as printed).
  std::string text() const { return path + ":" + std::to_string(line) + ": " + reason; }
};

/// What a JSONL read saw.
struct jsonl_stats {
  std::size_t lines = 0;        ///< physical lines (a last line without newline counts)
  std::size_t records = 0;      ///< JSON objects handed to the callback
  std::size_t blank = 0;
  std::size_t bytes = 0;
  std::vector<jsonl_warning> warnings;  ///< skipped lines, in file order
  bool torn_tail = false;       ///< the last line is invalid or has no newline
};

/// One physical line: its 1-based number and its text (without the newline).
struct text_line {
  std::size_t number = 0;
  std::string_view text;
  bool terminated = true;       ///< ended with '\n'
};

/// Streams the lines of a file in chunks, calling `on_line(const text_line&)` for each; the text
/// views are valid during the call and are followed by SIMDJSON_PADDING readable bytes. Only a
/// regular file is read (a FIFO or device is refused, never waited on). Throws input_error when
/// the file cannot be opened or read, or when one line is longer than `max_line` bytes.
template <class OnLine>
std::size_t for_each_line(const std::string& path, OnLine&& on_line, std::size_t chunk = std::size_t{8} << 20,
                          std::uintmax_t max_line = default_input_size_limit) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw input_error(path, "Telemetry JSONL not found");
  input_file in(path);
  std::vector<char> buf(chunk + simdjson::SIMDJSON_PADDING);
  std::size_t have = 0, number = 0, bytes = 0;
  bool eof = false;
  while (!eof) {
    if (buf.size() - have < chunk / 2 + simdjson::SIMDJSON_PADDING) {
      if (have > max_line)
        throw input_error(path, number + 1, {}, "line is longer than the " + byte_size_text(max_line) + " limit");
      buf.resize(buf.size() * 2);
    }
    const std::size_t n = in.read_some(buf.data() + have, buf.size() - have - simdjson::SIMDJSON_PADDING);
    eof = n == 0;
    have += n;
    bytes += n;
    std::memset(buf.data() + have, 0, simdjson::SIMDJSON_PADDING);
    std::size_t start = 0;
    while (start < have) {
      const void* nl = std::memchr(buf.data() + start, '\n', have - start);
      if (!nl) {
        if (!eof) break;
        on_line(text_line{++number, std::string_view(buf.data() + start, have - start), false});
        start = have;
        break;
      }
      const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
      on_line(text_line{++number, std::string_view(buf.data() + start, end - start), true});
      start = end + 1;
    }
    if (start > 0) {
      std::memmove(buf.data(), buf.data() + start, have - start);
      have -= start;
    }
  }
  return bytes;
}

/// Reads a JSONL file: calls `on_record(const text_line&, json&&)` for every line holding a JSON
/// object. Blank lines are skipped silently (as the reference's load_jsonl does); torn, invalid and
/// non-object lines are skipped with a warning naming file and line. Never fails on content;
/// throws input_error only when the file cannot be opened or read (see for_each_line, which
/// reads it in `chunk`-byte pieces).
template <class OnRecord>
jsonl_stats read_jsonl(const std::string& path, OnRecord&& on_record, std::size_t chunk = std::size_t{8} << 20) {
  jsonl_stats st;
  json_parser parser;
  std::string error;
  st.bytes = for_each_line(path, [&](const text_line& l) {
    ++st.lines;
    std::string_view t = l.text;
    if (!t.empty() && t.back() == '\r') t.remove_suffix(1);
    if (t.find_first_not_of(" \t\r") == std::string_view::npos) {
      ++st.blank;
      return;
    }
    auto v = parser.parse(t, true, &error);
    if (!v || !v->is_object()) {
      const bool last_unterminated = !l.terminated;
      st.warnings.push_back({path, l.number,
                             !v ? "skipped torn or invalid record" + std::string(last_unterminated ? " (no final newline)" : "") +
                                      ": " + error
                                : std::string("skipped: not a JSON object")});
      return;
    }
    ++st.records;
    on_record(l, std::move(*v));
  }, chunk);
  if (!st.warnings.empty() && st.warnings.back().line == st.lines) st.torn_tail = true;
  return st;
}

/// The JSON objects of JSONL text (one object a line): e.g. run records as they travel
/// between processes.
inline std::vector<json::object> json_lines(std::string_view lines) {
  std::vector<json::object> objects;
  for (std::size_t p = 0; p < lines.size();) {
    const std::size_t e = lines.find('\n', p);
    objects.push_back(parse_json(lines.substr(p, e - p)).as_object());
    if (e == std::string_view::npos) break;
    p = e + 1;
  }
  return objects;
}

}  // namespace fhops::telemetry
