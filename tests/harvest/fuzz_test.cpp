// A seeded mutation fuzzer over real inputs (issue 24): scenario bundles, an assignments CSV and a
// telemetry JSONL log are mutated (byte flips, truncation, duplicated / removed / swapped lines,
// huge and non-finite numbers, BOM, CRLF, bad UTF-8, NUL, deep nesting) and read back. Every input
// must either load or be refused with the layer's documented error (fhops::input_error with a
// one-line message naming the file; the JSONL reader skips bad lines with one-line warnings) —
// never a crash, a hang, std::bad_alloc or another exception. A loaded scenario must score a
// finite objective. Deterministic for a seed: FHOPS_FUZZ_SEED (default 24) and
// FHOPS_FUZZ_ITERATIONS (default 400 per target) replay or lengthen a run.
#include "../test_support.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <typeinfo>
#include <vector>

#include "fhops/harvest/harvest.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/util/input_error.hpp"
#include "fhops/util/rng.hpp"

using namespace fhops::harvest;
namespace fs = std::filesystem;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 10);
  return end && *end == '\0' ? n : fallback;
}

std::uint64_t fuzz_seed() { return env_number("FHOPS_FUZZ_SEED", 24); }
std::uint64_t fuzz_iterations() { return env_number("FHOPS_FUZZ_ITERATIONS", 400); }

/// How to replay a failing case.
std::string replay(std::uint64_t i) {
  return "FHOPS_FUZZ_SEED=" + std::to_string(fuzz_seed()) + " FHOPS_FUZZ_ITERATIONS=" + std::to_string(i + 1);
}

// Tokens that break parsers: huge and non-finite numbers, NA spellings, quotes and separators,
// BOM, bad UTF-8, NUL, YAML syntax (anchors, aliases, merge keys, tags, documents).
const std::vector<std::string>& tokens() {
  static const std::vector<std::string> t{
      "4294967297", "-4294967297", "2147483648", "9223372036854775808", "18446744073709551617", "1e308", "-1e308", "1e400",
      "1e-400", "inf", "-inf", ".inf", "-.inf", "nan", ".nan", "NaN", "NA", "N/A", "", "\"", "\"\"", ",", ",,,", "\n", "\r\n",
      "\r", "\xEF\xBB\xBF", "\xff\xfe", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", std::string(1, '\0'), "&a ", "*a",
      "? ", ": ", "- ", "{", "}", "[", "]", "!!binary ", "!!python/object ", "%YAML 1.2\n", "---\n", "...\n", "<<: *a\n", "~",
      "0x1F", "0o17", "017", "1_000", "1:30", "2025-01-01", "yes", "on", "\t", "#", "'", "|\n", ">\n", "\\", "${HOME}",
      "../../../../etc/passwd", "/dev/zero", "-0", "+1", "1.", ".5", "1e3", "0.1e-7"};
  return t;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start + 1));
    start = nl + 1;
  }
  return lines;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

/// Applies one to four random mutations.
std::string mutate(std::string text, fhops::rng& r) {
  const auto pos = [&](const std::string& s) { return static_cast<std::size_t>(r.below(s.size() + 1)); };
  const int n = static_cast<int>(r.between(1, 4));
  for (int k = 0; k < n; ++k) {
    const auto op = r.below(13);
    switch (op) {
      case 0:  // flip one bit
        if (!text.empty()) text[r.below(text.size())] ^= static_cast<char>(1u << r.below(8));
        break;
      case 1:  // any byte
        if (!text.empty()) text[r.below(text.size())] = static_cast<char>(r.below(256));
        break;
      case 2: {  // delete a range
        const std::size_t at = pos(text);
        text.erase(at, static_cast<std::size_t>(r.between(1, 16)));
        break;
      }
      case 3: {  // insert a token
        const auto& t = tokens()[r.below(tokens().size())];
        text.insert(pos(text), t);
        break;
      }
      case 4: {  // replace a run of digits by a token
        std::vector<std::size_t> starts;
        for (std::size_t i = 0; i < text.size(); ++i)
          if (std::isdigit(static_cast<unsigned char>(text[i])) && (i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]))))
            starts.push_back(i);
        if (starts.empty()) break;
        const std::size_t at = starts[r.below(starts.size())];
        std::size_t end = at;
        while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
        text.replace(at, end - at, tokens()[r.below(tokens().size())]);
        break;
      }
      case 5:  // truncate
        text.resize(pos(text));
        break;
      case 6:
      case 7:
      case 8: {  // duplicate, remove or swap lines
        auto lines = split_lines(text);
        if (lines.empty()) break;
        const std::size_t a = r.below(lines.size()), b = r.below(lines.size());
        if (op == 6) lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(b), lines[a]);
        else if (op == 7) lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(a));
        else std::swap(lines[a], lines[b]);
        text = join(lines);
        break;
      }
      case 9: {  // CRLF line ends
        std::string out;
        for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
        text = std::move(out);
        break;
      }
      case 10:  // BOM
        text.insert(0, "\xEF\xBB\xBF");
        break;
      case 11: {  // a long run: deep nesting, a long number, a long word
        static const std::string runs[] = {"[", "{", "9", "x", "- ", "\"", ","};
        text.insert(pos(text), std::string(static_cast<std::size_t>(r.between(100, 4000)), runs[r.below(7)][0]));
        break;
      }
      default: {  // a line with its number replaced (a repeated YAML key with another value)
        auto lines = split_lines(text);
        if (lines.empty()) break;
        std::string line = lines[r.below(lines.size())];
        const auto colon = line.find(':');
        if (colon != std::string::npos) line = line.substr(0, colon + 1) + " " + tokens()[r.below(tokens().size())] + "\n";
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(r.below(lines.size() + 1)), line);
        text = join(lines);
        break;
      }
    }
  }
  return text;
}

/// Every regular file of a bundle folder, by relative path.
std::map<std::string, std::string> bundle_files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = fhops_test::slurp(e.path());
  return out;
}

/// A one-line message that names a file.
void check_message(const fhops::input_error& e, std::uint64_t i) {
  const std::string what = e.what();
  INFO("what(): " << fhops::excerpt(what, 300) << "\nreplay: " << replay(i));
  CHECK_FALSE(e.path().empty());
  CHECK(what.find_first_of(std::string("\n\r\0", 3)) == std::string::npos);
  CHECK(what.size() < 2500);
}

}  // namespace

TEST_CASE("fuzz: mutated scenario bundles load or are refused with a one-line input_error", "[fuzz][loader]") {
  std::vector<std::map<std::string, std::string>> seeds{bundle_files(fhops_test::demo())};
  for (const char* name : {"minitoy", "typical", "small21"})
    if (fs::exists(fhops_test::reference("scenarios/" + std::string(name) + "/scenario.yaml")))
      seeds.push_back(bundle_files(fhops_test::reference("scenarios/" + std::string(name))));
  const fs::path dir = fhops_test::scratch("fuzz_loader");
  std::size_t loaded = 0, refused = 0;
  const std::uint64_t n = fuzz_iterations();
  for (std::uint64_t i = 0; i < n; ++i) {
    fhops::rng r(fhops::derive_seed(fuzz_seed(), i));
    auto files = seeds[r.below(seeds.size())];
    auto it = files.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(r.below(files.size())));
    if (r.chance(0.4)) it = files.find("scenario.yaml");  // the YAML holds most of the structure
    it->second = mutate(it->second, r);
    fs::remove_all(dir);
    for (const auto& [rel, text] : files) fhops_test::write(dir / rel, text);
    try {
      const scenario sc = load_scenario(dir / "scenario.yaml");
      const problem pb(sc);
      const evaluation ev = evaluate(pb, greedy_schedule(pb));
      INFO("replay: " << replay(i) << " (mutated " << it->first << ")");
      CHECK(std::isfinite(ev.score));
      ++loaded;
    } catch (const fhops::input_error& e) {
      check_message(e, i);
      ++refused;
    } catch (const std::exception& e) {
      FAIL("replay: " << replay(i) << " (mutated " << it->first << "): " << typeid(e).name() << ": " << fhops::excerpt(e.what(), 300));
    }
  }
  CHECK(loaded + refused == n);
  if (n >= 100) {  // the default run exercises both outcomes
    CHECK(loaded > 0);
    CHECK(refused > 0);
  }
}

TEST_CASE("fuzz: mutated assignments CSVs read or are refused with a one-line input_error", "[fuzz][assignments]") {
  const problem pb(load_scenario(fs::path(fhops_test::demo()) / "scenario.yaml"));
  const std::string base = assignments_csv_text(pb, greedy_schedule(pb));
  const std::uint64_t n = fuzz_iterations();
  std::size_t read = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    fhops::rng r(fhops::derive_seed(fuzz_seed() + 1, i));
    const std::string text = mutate(base, r);
    try {
      const schedule s = parse_assignments_csv(pb, text, "fuzz.csv");
      INFO("replay: " << replay(i));
      CHECK(std::isfinite(evaluate(pb, s).score));
      ++read;
    } catch (const fhops::input_error& e) {
      check_message(e, i);
      CHECK(e.path() == "fuzz.csv");
    } catch (const std::exception& e) {
      FAIL("replay: " << replay(i) << ": " << typeid(e).name() << ": " << fhops::excerpt(e.what(), 300));
    }
  }
  if (n >= 100) CHECK(read > 0);
}

TEST_CASE("fuzz: mutated JSONL logs are read with one-line warnings, never an exception", "[fuzz][telemetry]") {
  std::vector<std::string> seeds{
      "{\"record_type\":\"run\",\"schema_version\":\"1.1\",\"run_id\":\"abc\",\"solver\":\"sa\",\"metrics\":{\"objective\":13.0,"
      "\"x\":[1,2.5,null,true,\"s\\u00e9\\n\"]},\"config\":{}}\n"
      "{\"record_type\":\"step\",\"run_id\":\"abc\",\"step\":1,\"objective\":NaN,\"best_objective\":-Infinity,\"temperature\":null}\n"
      "\n{\"a\":{\"b\":{\"c\":[[[]]]}}}\n"};
  if (fs::exists(fhops_test::reference("telemetry/telemetry_minitoy.jsonl")))
    seeds.push_back(fhops_test::slurp(fhops_test::reference("telemetry/telemetry_minitoy.jsonl")));
  const fs::path log = fhops_test::scratch("fuzz_jsonl") / "runs.jsonl";
  const std::uint64_t n = fuzz_iterations();
  std::size_t records = 0, warnings = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    fhops::rng r(fhops::derive_seed(fuzz_seed() + 2, i));
    const std::string text = mutate(seeds[r.below(seeds.size())], r);
    fhops_test::write(log, text);
    try {
      const auto st = fhops::telemetry::read_jsonl(log.string(), [&](const fhops::telemetry::text_line&, fhops::telemetry::json&& v) {
        (void)fhops::telemetry::dump(v);
        ++records;
      });
      for (const auto& w : st.warnings) {
        INFO("replay: " << replay(i));
        CHECK(w.text().find_first_of(std::string("\n\r\0", 3)) == std::string::npos);
        ++warnings;
      }
    } catch (const std::exception& e) {
      FAIL("replay: " << replay(i) << ": " << typeid(e).name() << ": " << fhops::excerpt(e.what(), 300));
    }
    try {
      (void)fhops::telemetry::parse_json(text);
    } catch (const std::invalid_argument&) {
    } catch (const std::exception& e) {
      FAIL("replay: " << replay(i) << ": parse_json: " << typeid(e).name() << ": " << fhops::excerpt(e.what(), 300));
    }
  }
  if (n >= 100) {
    CHECK(records > 0);
    CHECK(warnings > 0);
  }
}
