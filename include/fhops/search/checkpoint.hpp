/// \file
/// Checkpoints of a search: a small versioned text archive of named, typed fields (integers,
/// doubles bit for bit as their 64-bit pattern, strings, vectors), guarded by a magic line, a
/// format version, the payload's length and its FNV-1a 64 checksum, so a truncated, corrupted or
/// foreign file is refused with one clear message. A policy whose state matters for the rest of a
/// run is `state_serialisable`; the run object decides when to checkpoint through a
/// `checkpoint_hook` (the null hook costs nothing). No file I/O here: the archive is a string, the
/// caller stores it (harvest and the driver write it atomically).
#pragma once

#include <array>
#include <bit>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "fhops/util/rng.hpp"

namespace fhops::search {

/// The format version this build writes and reads (a checkpoint of another version is refused).
inline constexpr int checkpoint_format_version = 2;

/// The first line of every checkpoint.
inline constexpr std::string_view checkpoint_magic = "fhops-checkpoint";

/// Why a checkpoint cannot be used: truncated, corrupted, another format version, another solver
/// or scenario, a field missing. The message is one line saying which.
class checkpoint_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// FNV-1a 64's offset basis: the hash of nothing, where a hash over several pieces starts.
inline constexpr std::uint64_t fnv1a64_basis = 0xcbf29ce484222325ULL;

/// FNV-1a, 64 bits: the checkpoint's checksum. `h` continues a hash over earlier pieces.
constexpr std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = fnv1a64_basis) noexcept {
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace detail {

inline void append_hex(std::string& out, std::uint64_t v) {
  char buf[16];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  out.append(buf, r.ptr);
}

}  // namespace detail

/// Writes named fields, one per line: `name type value...`. Integers in decimal, doubles as the
/// hexadecimal 64-bit pattern (exact, NaN and infinities included), strings length-prefixed.
class checkpoint_writer {
public:
  void put(std::string_view name, std::int64_t v) { line(name, "i") += std::to_string(v) + '\n'; }
  void put(std::string_view name, std::uint64_t v) {
    detail::append_hex(line(name, "u"), v);
    payload_ += '\n';
  }
  void put(std::string_view name, bool v) { put(name, static_cast<std::int64_t>(v)); }
  void put(std::string_view name, int v) { put(name, static_cast<std::int64_t>(v)); }
  void put(std::string_view name, long long v) { put(name, static_cast<std::int64_t>(v)); }
  void put(std::string_view name, double v) {
    detail::append_hex(line(name, "d"), std::bit_cast<std::uint64_t>(v));
    payload_ += '\n';
  }
  void put(std::string_view name, std::string_view v) {
    line(name, "s") += std::to_string(v.size()) + ' ';
    payload_ += v;
    payload_ += '\n';
  }
  void put(std::string_view name, const char* v) { put(name, std::string_view(v)); }
  /// A vector of integers or doubles: its length, then the values.
  template <class T>
    requires std::is_arithmetic_v<T>
  void put(std::string_view name, const std::vector<T>& v) {
    line(name, std::is_floating_point_v<T> ? "vd" : "vi") += std::to_string(v.size());
    for (const T x : v) {
      payload_ += ' ';
      if constexpr (std::is_floating_point_v<T>) detail::append_hex(payload_, std::bit_cast<std::uint64_t>(static_cast<double>(x)));
      else payload_ += std::to_string(static_cast<std::int64_t>(x));
    }
    payload_ += '\n';
  }

  /// The fields written so far.
  const std::string& payload() const { return payload_; }

  /// The whole checkpoint: magic, version, payload length and checksum, then the payload.
  std::string text() const {
    std::string out(checkpoint_magic);
    out += "\nversion " + std::to_string(checkpoint_format_version) + "\nbytes " + std::to_string(payload_.size()) + "\nchecksum ";
    detail::append_hex(out, fnv1a64(payload_));
    out += '\n';
    out += payload_;
    return out;
  }

private:
  std::string& line(std::string_view name, std::string_view type) {
    payload_ += name;
    payload_ += ' ';
    payload_ += type;
    payload_ += ' ';
    return payload_;
  }

  std::string payload_;
};

/// Reads a checkpoint back. The constructor checks the magic line, the version, the length and
/// the checksum; get() reads the next field, which must have the expected name and type.
class checkpoint_reader {
public:
  explicit checkpoint_reader(std::string text) : text_(std::move(text)) {
    std::size_t pos = 0;
    const auto header_line = [&](std::string_view what) {
      const std::size_t end = text_.find('\n', pos);
      if (end == std::string::npos) throw checkpoint_error(pos == 0 && text_.empty() ? "empty file" : "truncated (in the header)");
      std::string_view l(text_.data() + pos, end - pos);
      pos = end + 1;
      if (!what.empty()) {
        if (l.substr(0, what.size() + 1) != std::string(what) + ' ') throw checkpoint_error("corrupted header (no '" + std::string(what) + "' line)");
        l.remove_prefix(what.size() + 1);
      }
      return l;
    };
    if (text_.substr(0, checkpoint_magic.size() + 1) != std::string(checkpoint_magic) + '\n')
      throw checkpoint_error(text_.empty() ? "empty file" : "not an fhops checkpoint (no 'fhops-checkpoint' line)");
    header_line("");
    const std::string_view version = header_line("version");
    if (version != std::to_string(checkpoint_format_version))
      throw checkpoint_error("format version " + std::string(version) + ", this build reads version " +
                             std::to_string(checkpoint_format_version));
    const std::string_view bytes = header_line("bytes");
    std::uint64_t length = 0;
    if (std::from_chars(bytes.data(), bytes.data() + bytes.size(), length).ec != std::errc{})
      throw checkpoint_error("corrupted header (bytes '" + std::string(bytes) + "')");
    const std::string_view sum = header_line("checksum");
    std::uint64_t expected = 0;
    if (std::from_chars(sum.data(), sum.data() + sum.size(), expected, 16).ec != std::errc{})
      throw checkpoint_error("corrupted header (checksum '" + std::string(sum) + "')");
    const std::size_t have = text_.size() - pos;
    if (have < length)
      throw checkpoint_error("truncated (" + std::to_string(have) + " of " + std::to_string(length) + " payload bytes)");
    if (have > length) throw checkpoint_error("corrupted (" + std::to_string(have - length) + " bytes after the payload)");
    if (fnv1a64(std::string_view(text_).substr(pos)) != expected) throw checkpoint_error("corrupted (checksum mismatch)");
    pos_ = pos;
  }

  void get(std::string_view name, std::int64_t& v) { v = to_integer(field(name, "i")); }
  void get(std::string_view name, long long& v) { v = to_integer(field(name, "i")); }
  void get(std::string_view name, int& v) { v = static_cast<int>(to_integer(field(name, "i"))); }
  void get(std::string_view name, bool& v) { v = to_integer(field(name, "i")) != 0; }
  void get(std::string_view name, std::uint64_t& v) { v = hex(field(name, "u"), name); }
  void get(std::string_view name, double& v) { v = std::bit_cast<double>(hex(field(name, "d"), name)); }
  void get(std::string_view name, std::string& v) {
    std::string_view rest = field(name, "s");
    const std::size_t space = rest.find(' ');
    const long long n = space == std::string_view::npos ? -1 : to_integer(rest.substr(0, space));
    if (n < 0 || static_cast<std::size_t>(n) > text_.size() - (rest.data() + space + 1 - text_.data()))
      throw bad(name, "string length");
    v.assign(rest.data() + space + 1, static_cast<std::size_t>(n));
    pos_ = static_cast<std::size_t>(rest.data() + space + 1 + n - text_.data());
    if (pos_ >= text_.size() || text_[pos_] != '\n') throw bad(name, "string");
    ++pos_;
  }
  template <class T>
    requires std::is_arithmetic_v<T>
  void get(std::string_view name, std::vector<T>& v) {
    std::string_view rest = field(name, std::is_floating_point_v<T> ? "vd" : "vi");
    const std::size_t space = rest.find(' ');
    const long long n = to_integer(rest.substr(0, space));
    if (n < 0) throw bad(name, "vector length");
    v.clear();
    v.reserve(static_cast<std::size_t>(n));
    rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
    for (long long i = 0; i < n; ++i) {
      const std::size_t sp = rest.find(' ');
      const std::string_view tok = rest.substr(0, sp);
      if (tok.empty()) throw bad(name, "vector");
      if constexpr (std::is_floating_point_v<T>) v.push_back(static_cast<T>(std::bit_cast<double>(hex(tok, name))));
      else v.push_back(static_cast<T>(to_integer(tok)));
      rest.remove_prefix(sp == std::string_view::npos ? rest.size() : sp + 1);
    }
    if (!rest.empty()) throw bad(name, "vector length");
  }

  /// The next field of any type: reads `name` and returns it (for fields a caller compares).
  template <class T>
  T get(std::string_view name) {
    T v{};
    get(name, v);
    return v;
  }

  /// True when every field has been read.
  bool at_end() const { return pos_ == text_.size(); }

private:
  // The value part of the next line, after checking its name and type.
  std::string_view field(std::string_view name, std::string_view type) {
    if (pos_ >= text_.size()) throw checkpoint_error("field '" + std::string(name) + "' missing");
    const std::size_t end = text_.find('\n', pos_);
    std::string_view l(text_.data() + pos_, (end == std::string::npos ? text_.size() : end) - pos_);
    const std::string prefix = std::string(name) + ' ' + std::string(type) + ' ';
    if (l.substr(0, prefix.size()) != prefix) {
      throw checkpoint_error("field '" + std::string(name) + "' expected, found '" + std::string(l.substr(0, l.find(' '))) + "'");
    }
    pos_ = end == std::string::npos ? text_.size() : end + 1;
    return l.substr(prefix.size());
  }

  static checkpoint_error bad(std::string_view name, std::string_view what) {
    return checkpoint_error("field '" + std::string(name) + "': bad " + std::string(what));
  }

  static long long to_integer(std::string_view s) {
    long long v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) throw checkpoint_error("bad integer '" + std::string(s) + "'");
    return v;
  }
  static std::uint64_t hex(std::string_view s, std::string_view name) {
    std::uint64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) throw bad(name, "hexadecimal value");
    return v;
  }

  std::string text_;
  std::size_t pos_ = 0;
};

/// State that a checkpoint carries: save() writes it, load() reads it back into an object built
/// with the same parameters, after which the object behaves exactly as the saved one would.
template <class T>
concept state_serialisable = requires(const T& ct, T& t, checkpoint_writer& w, checkpoint_reader& r) {
  ct.save(w);
  t.load(r);
};

/// A checkpoint hook of a run: `enabled` (compile time) says whether the run asks at all; due()
/// is asked once per completed iteration (checkpoint now?); write(body) writes a checkpoint whose
/// fields `body(checkpoint_writer&)` fills; stop() says whether the run stops after it (a signal).
template <class H>
concept checkpoint_hook = requires(H& h, const H& ch, long long iteration, double seconds) {
  { H::enabled } -> std::convertible_to<bool>;
  { h.due(iteration, seconds) } -> std::convertible_to<bool>;
  { ch.stop() } -> std::convertible_to<bool>;
};

/// The hook of a run without checkpoints: never due, compiled away.
struct no_checkpoint {
  static constexpr bool enabled = false;
  constexpr bool due(long long, double) const noexcept { return false; }
  constexpr bool stop() const noexcept { return false; }
  template <class Body>
  void write(Body&&) const noexcept {}
};
static_assert(checkpoint_hook<no_checkpoint>);

/// Saves the state of a random stream (its four state words).
inline void save_rng(checkpoint_writer& w, std::string_view name, const rng& r) {
  const auto s = r.state();
  w.put(name, std::vector<std::uint64_t>(s.begin(), s.end()));
}

/// Restores a random stream saved by save_rng().
inline void load_rng(checkpoint_reader& in, std::string_view name, rng& r) {
  std::vector<std::uint64_t> s;
  in.get(name, s);
  if (s.size() != 4) throw checkpoint_error("field '" + std::string(name) + "': 4 state words expected");
  r.set_state({s[0], s[1], s[2], s[3]});
}

}  // namespace fhops::search
