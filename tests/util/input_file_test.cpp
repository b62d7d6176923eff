// The checked input reader (regular files only, a size limit), one-line error messages with short
// excerpts, YAML read as PyYAML reads it (a repeated key keeps its last value) and standard JSON
// numbers (issue 24).
#include "../test_support.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "fhops/util/csv.hpp"
#include "fhops/util/input_error.hpp"
#include "fhops/util/input_file.hpp"
#include "fhops/util/json_text.hpp"
#include "fhops/util/yaml_file.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// The input_error's message of f(), or "" when it does not throw one.
template <class F>
std::string input_error_of(F f) {
  try {
    f();
  } catch (const fhops::input_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("read_text_file refuses a FIFO and a device at once, naming the file", "[util][input]") {
  const fs::path dir = fhops_test::scratch("input_fifo");
  const fs::path fifo = dir / "blocks.csv";
  fhops_test::make_fifo(fifo);
  const std::string e = fhops_test::without_hang(fifo, [&] { return input_error_of([&] { (void)fhops::read_text_file(fifo); }); });
  CHECK(e == fifo.string() + ": is not a regular file (a FIFO, device or socket); only regular files are read");
  // /dev/zero never ends: reading it whole used to grow memory without bound
  CHECK_THAT(input_error_of([] { (void)fhops::read_text_file("/dev/zero"); }), Contains("/dev/zero: is not a regular file"));
  CHECK_THAT(input_error_of([] { (void)fhops::csv_table::read("/dev/null"); }), Contains("/dev/null: is not a regular file"));
  CHECK(input_error_of([&] { (void)fhops::read_text_file(dir); }) == dir.string() + ": is a directory, expected a file");
  CHECK(input_error_of([&] { (void)fhops::read_text_file(dir / "nope.csv"); }) ==
        (dir / "nope.csv").string() + ": file not found or not readable");
}

TEST_CASE("read_text_file reads files whose size is unknown and refuses files over the limit", "[util][input]") {
  const fs::path dir = fhops_test::scratch("input_limit");
  fhops_test::write(dir / "a.txt", std::string(1000, 'x'));
  CHECK(fhops::read_text_file(dir / "a.txt").size() == 1000);
  CHECK(fhops::read_text_file(dir / "a.txt", 1000).size() == 1000);
  CHECK(input_error_of([&] { (void)fhops::read_text_file(dir / "a.txt", 999); }) ==
        (dir / "a.txt").string() + ": file is 1000 bytes, over the 999 bytes limit for input files");
  // /proc files report size 0 and are read to their end
  CHECK_FALSE(fhops::read_text_file("/proc/self/status").empty());
  CHECK(fhops::default_input_size_limit == std::uintmax_t{1} << 30);
  CHECK(fhops::byte_size_text(fhops::default_input_size_limit) == "1 GiB");
  CHECK(fhops::byte_size_text(12884901888ull + 536870912ull) == "12.5 GiB");
}

TEST_CASE("input_error messages are one line and quote short excerpts", "[util][input]") {
  CHECK(fhops::excerpt("B1") == "B1");
  CHECK(fhops::excerpt("a\nb\rc\td\x1b") == "a\\nb\\rc\\td\\x1b");
  CHECK(fhops::excerpt("caf\xC3\xA9 \xFF") == "caf\xC3\xA9 \\xff");  // valid UTF-8 kept, a stray byte escaped
  const std::string long_value(10'000'000, 'x');
  CHECK(fhops::excerpt(long_value) == std::string(40, 'x') + "... (10000000 bytes)");
  const fhops::input_error e("a\nb.csv", 3, "id\n", "rule\nwith a break " + long_value);
  const std::string what = e.what();
  CHECK(what.find('\n') == std::string::npos);
  CHECK(what.size() < 1200);
  CHECK_THAT(what, Contains("a\\nb.csv:3: column 'id\\n': rule\\nwith a break xxx"));
  CHECK(e.rule().size() > 10'000'000);  // the rule itself is kept whole
}

TEST_CASE("a CSV header that does not look like one is not echoed", "[util][input]") {
  const auto t = fhops::csv_table::parse("root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:\n", "/etc/passwd");
  const std::string e = input_error_of([&] { (void)t.require_column("id"); });
  CHECK(e == "/etc/passwd:1: column 'id': required column is missing (the file's first line is not a CSV header of this table)");
  const auto ok = fhops::csv_table::parse("ident,landing_id\nB1,L1\n", "b.csv");
  CHECK_THAT(input_error_of([&] { (void)ok.require_column("id"); }), Contains("(header is 'ident,landing_id')"));
  // a cell is quoted as a short excerpt on one line
  const auto cells = fhops::csv_table::parse("id,rate\nB1,\"12\n" + std::string(5000, '9') + "\"\n", "r.csv");
  const std::string bad = input_error_of([&] { (void)cells.number(0, 1); });
  CHECK(bad == "r.csv:2: column 'rate': '12\\n" + std::string(36, '9') + "... (5003 bytes)' is not a number");
}

TEST_CASE("CSV integers beyond the exact range of doubles are out of range, not wrapped", "[util][input]") {
  const auto t = fhops::csv_table::parse("day\n4294967297\n1e16\n", "c.csv");
  CHECK(t.integer(0, 0) == 4294967297LL);
  CHECK(input_error_of([&] { (void)t.integer(1, 0); }) == "c.csv:3: column 'day': '1e16' is out of range (|value| <= 9e15)");
}

TEST_CASE("YAML mappings keep the last value of a repeated key, as PyYAML does", "[util][yaml]") {
  const YAML::Node n = fhops::parse_yaml(
      "w:\n  mobilisation: 0.5\n  production: 1\n  mobilisation: 5.0\nlist:\n  - {a: 1, a: 2}\nshared: &s {k: 1, k: 3}\nalias: *s\nw2: 1\nw2: 2\n",
      "x.yaml");
  CHECK(n["w"]["mobilisation"].Scalar() == "5.0");
  CHECK(n["w"].size() == 2);
  CHECK(fhops::yaml_line(n["w"]["mobilisation"]) == 4);
  CHECK(n["list"][0]["a"].Scalar() == "2");
  CHECK(n["shared"]["k"].Scalar() == "3");
  CHECK(n["alias"]["k"].Scalar() == "3");
  CHECK(n["w2"].Scalar() == "2");
  CHECK(input_error_of([] { (void)fhops::parse_yaml("a: [1, 2\n", "bad.yaml"); }) ==
        "bad.yaml:2: malformed YAML: end of sequence flow not found");
  // an alias bomb is visited once per node, not once per path
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 30; ++i)
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + std::string("*a") + std::to_string(i - 1) +
            std::string(", *a") + std::to_string(i - 1) + std::string(", *a") + std::to_string(i - 1) + "]\n";
  CHECK(fhops::parse_yaml(bomb, "bomb.yaml")["a29"].size() == 3);
}

TEST_CASE("JSON numbers: shortest round trip, null for NaN and infinities", "[util][json]") {
  CHECK(fhops::json_number(13.0) == "13.0");
  CHECK(fhops::json_number(1e-05) == "1e-05");
  CHECK(fhops::json_number(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(fhops::json_number(std::numeric_limits<double>::infinity()) == "null");
  CHECK(fhops::json_number(-std::numeric_limits<double>::infinity()) == "null");
}
