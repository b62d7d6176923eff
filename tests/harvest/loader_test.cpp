// The scenario loader against every validation rule of problem_model.md §2 (and the stricter checks
// listed in docs/compatibility.md): each broken bundle must be rejected with an fhops::input_error
// naming the right file, spreadsheet row (header = row 1, first data row = 2) or YAML line, and
// column or key, carrying the reference's rule text where the spec gives one.
#include "../test_support.hpp"

#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/problem.hpp"
#include "fhops/util/input_error.hpp"

using namespace fhops::harvest;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// The default scenario.yaml. Line numbers matter to the tests: name is line 1, num_days line 2,
// data line 3, data.blocks .. data.prod_rates lines 4..8; appended text starts on line 9.
const char* const default_yaml =
    "name: Test Bundle\n"
    "num_days: 3\n"
    "data:\n"
    "  blocks: blocks.csv\n"
    "  machines: machines.csv\n"
    "  landings: landings.csv\n"
    "  calendar: calendar.csv\n"
    "  prod_rates: prod_rates.csv\n";

std::map<std::string, std::string> default_files() {
  return {
      {"blocks.csv", "id,landing_id,work_required,earliest_start,latest_finish\n"
                     "B1,L1,10,1,3\n"
                     "B2,L2,5.5,2,3\n"},
      {"machines.csv", "id,role,daily_hours\n"
                       "M1,harvester,10\n"
                       "M2,forwarder,8\n"},
      {"landings.csv", "id,daily_capacity\n"
                       "L1,2\n"
                       "L2,1\n"},
      {"calendar.csv", "machine_id,day,available\n"
                       "M1,1,1\n"
                       "M1,2,0\n"
                       "M2,3,1\n"},
      {"prod_rates.csv", "machine_id,block_id,rate\n"
                         "M1,B1,2.5\n"
                         "M2,B2,3\n"
                         "M1,B2,1\n"},
  };
}

/// A small valid bundle in a fresh scratch folder; tests replace one file or one YAML fragment.
struct bundle {
  fs::path dir;
  std::string yaml_rel = "scenario.yaml";
  std::string yaml = default_yaml;
  std::map<std::string, std::string> files = default_files();

  explicit bundle(const std::string& tag) : dir(fhops_test::scratch("loader_" + tag)) {}

  /// Replaces (or adds) a file of the bundle.
  bundle& set(const std::string& rel, const std::string& text) {
    files[rel] = text;
    return *this;
  }
  /// Leaves a file out of the bundle.
  bundle& drop(const std::string& rel) {
    files.erase(rel);
    return *this;
  }
  /// Replaces the first occurrence of `from` in scenario.yaml (which must contain it).
  bundle& replace(const std::string& from, const std::string& to) {
    const auto p = yaml.find(from);
    REQUIRE(p != std::string::npos);
    yaml.replace(p, from.size(), to);
    return *this;
  }
  /// Appends text to scenario.yaml.
  bundle& append(const std::string& text) {
    yaml += text;
    return *this;
  }
  fs::path path(const std::string& rel) const { return dir / rel; }
  /// Writes every file; returns the scenario.yaml path.
  fs::path write() const {
    for (const auto& [rel, text] : files) fhops_test::write(dir / rel, text);
    fhops_test::write(dir / yaml_rel, yaml);
    return dir / yaml_rel;
  }
};

/// Loads a bundle that must be rejected and returns the input_error.
fhops::input_error load_error(const fs::path& yaml) {
  try {
    (void)load_scenario_with_warnings(yaml);
  } catch (const fhops::input_error& e) {
    return e;
  }
  FAIL("loaded without an input_error: " << yaml.string());
  throw std::logic_error("unreachable");
}

bool same_file(const fs::path& a, const fs::path& b) { return fs::weakly_canonical(a) == fs::weakly_canonical(b); }

bool has_warning(const std::vector<std::string>& warnings, const std::string& text) {
  for (const auto& w : warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

/// The bundle is rejected with an input_error naming `file`, `row`, `column` and containing `text`.
#define CHECK_REJECTED(yaml_path, file, row_, column_, text)                        \
  do {                                                                              \
    const fhops::input_error e_ = load_error(yaml_path);                            \
    INFO("what(): " << e_.what());                                                  \
    CHECK(same_file(e_.path(), (file)));                                            \
    CHECK(e_.row() == static_cast<std::size_t>(row_));                              \
    CHECK(e_.column() == std::string(column_));                                     \
    CHECK_THAT(std::string(e_.what()), Contains(std::string(text)));                \
  } while (false)

// -------------------------------------------------------------------------------------------------
// A valid bundle and the location format.

TEST_CASE("a valid bundle loads with its values, defaults and no warnings", "[loader]") {
  bundle b("valid");
  const fs::path y = b.write();
  const loaded_scenario ls = load_scenario_with_warnings(y);
  const scenario& sc = ls.scenario;
  CHECK(ls.warnings.empty());
  CHECK(sc.name == "Test Bundle");
  CHECK(sc.num_days == 3);
  CHECK(sc.source == y);
  CHECK_FALSE(sc.start_date);
  REQUIRE(sc.blocks.size() == 2);
  CHECK(sc.blocks[0].id == "B1");
  CHECK(sc.blocks[0].landing_id == "L1");
  CHECK(sc.blocks[0].work_required == 10.0);
  CHECK(sc.blocks[1].work_required == 5.5);
  CHECK(sc.blocks[1].earliest_start == 2);
  CHECK(sc.blocks[1].latest_finish == 3);
  CHECK_FALSE(sc.blocks[0].harvest_system_id);
  REQUIRE(sc.machines.size() == 2);
  CHECK(sc.machines[0].role == std::optional<std::string>("harvester"));
  CHECK(sc.machines[1].daily_hours == 8.0);
  CHECK(sc.machines[0].operating_cost == 0.0);
  CHECK_FALSE(sc.machines[0].crew);
  CHECK_FALSE(sc.machines[0].repair_usage_hours);
  REQUIRE(sc.landings.size() == 2);
  CHECK(sc.landings[1].daily_capacity == 1);
  REQUIRE(sc.calendar.size() == 3);
  CHECK(sc.calendar[1].machine_id == "M1");
  CHECK(sc.calendar[1].day == 2);
  CHECK(sc.calendar[1].available == 0);
  REQUIRE(sc.production_rates.size() == 3);
  CHECK(sc.production_rates[0].rate == 2.5);
  CHECK(sc.shift_calendar.empty());
  CHECK_FALSE(sc.timeline);
  CHECK_FALSE(sc.mobilisation);
  CHECK(sc.locked_assignments.empty());
  CHECK(sc.weights.production == 1.0);
  CHECK(sc.weights.mobilisation == 1.0);
  CHECK(sc.weights.transitions == 0.0);
  CHECK(sc.weights.landing_slack == 0.0);
  CHECK(sc.crew_assignments.empty());
  CHECK(sc.road_construction.empty());
  // load_scenario is the same load without the warnings.
  CHECK(load_scenario(y).blocks.size() == 2);
}

TEST_CASE("optional columns take their defaults and unknown columns are ignored", "[loader]") {
  bundle b("defaults");
  b.set("blocks.csv", "terrain,id,work_required,landing_id\nflat,B1,4,L1\nsteep,B2,6,L2\n");
  b.set("machines.csv", "id\nM1\nM2\n");
  b.set("landings.csv", "id\nL1\nL2\n");
  b.set("calendar.csv", "machine_id,day\nM1,2\n");
  const scenario sc = load_scenario(b.write());
  CHECK(sc.blocks[1].earliest_start == 1);
  CHECK_FALSE(sc.blocks[1].latest_finish);
  CHECK(sc.blocks[1].landing_id == "L2");
  CHECK(sc.machines[0].daily_hours == 24.0);
  CHECK_FALSE(sc.machines[0].role);
  CHECK(sc.landings[0].daily_capacity == 2);
  CHECK(sc.calendar[0].available == 1);
  const problem pb(sc);
  CHECK(pb.latest[1] == 3);  // latest_finish none means num_days
}

TEST_CASE("input_error::what() is path:row: column 'x': rule", "[loader]") {
  bundle b("what");
  b.set("blocks.csv", "id,landing_id,work_required\nB1,L1,10\nB2,L2,-1\n");
  const fhops::input_error e = load_error(b.write());
  CHECK(e.rule() == "Block.work_required must be non-negative");
  CHECK(std::string(e.what()) ==
        b.path("blocks.csv").string() + ":3: column 'work_required': Block.work_required must be non-negative");
}

// -------------------------------------------------------------------------------------------------
// scenario.yaml itself.

TEST_CASE("scenario.yaml: missing, empty, not a mapping, malformed, or a bundle folder", "[loader]") {
  SECTION("a missing scenario.yaml names its path") {
    const fs::path dir = fhops_test::scratch("loader_noyaml");
    CHECK_REJECTED(dir / "scenario.yaml", dir / "scenario.yaml", 0, "", "file not found");
  }
  SECTION("a bundle folder loads its scenario.yaml") {
    bundle b("folder");
    b.write();
    const scenario sc = load_scenario(b.dir);
    CHECK(sc.name == "Test Bundle");
    CHECK(sc.blocks.size() == 2);
  }
  SECTION("a folder without scenario.yaml is rejected") {
    const fs::path dir = fhops_test::scratch("loader_emptydir");
    CHECK_REJECTED(dir, dir, 0, "", "without a scenario.yaml");
  }
  SECTION("an empty scenario.yaml") {
    bundle b("emptyyaml");
    b.yaml = "";
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 0, "", "file is empty");
  }
  SECTION("a top-level list") {
    bundle b("listyaml");
    b.yaml = "- name: x\n- num_days: 3\n";
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 1, "", "must be a mapping");
  }
  SECTION("an unbalanced bracket names the line (opened on line 2, seen by line 3)") {
    bundle b("badyaml");
    b.replace("num_days: 3", "num_days: [3, 4");
    const fs::path y = b.write();
    const fhops::input_error e = load_error(y);
    CHECK(same_file(e.path(), y));
    CHECK(e.row() >= 2);
    CHECK(e.row() <= 3);
    CHECK_THAT(std::string(e.what()), Contains("malformed YAML"));
  }
}

TEST_CASE("scenario keys: name, num_days, start_date and ignored keys", "[loader]") {
  bundle b("keys");
  SECTION("name is required") {
    b.replace("name: Test Bundle\n", "");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 0, "name", "is required");
  }
  SECTION("name: 42 is rejected, it must be a string") {
    b.replace("name: Test Bundle", "name: 42");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 1, "name", "must be a string");
  }
  SECTION("name: true is rejected") {
    b.replace("name: Test Bundle", "name: true");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 1, "name", "must be a string");
  }
  SECTION("name: \"42\" is a string and is accepted") {
    b.replace("name: Test Bundle", "name: \"42\"");
    CHECK(load_scenario(b.write()).name == "42");
  }
  SECTION("num_days 14.7 is truncated to 14") {
    b.replace("num_days: 3", "num_days: 14.7");
    CHECK(load_scenario(b.write()).num_days == 14);
  }
  SECTION("num_days 0 is rejected") {
    b.replace("num_days: 3", "num_days: 0");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 2, "num_days", "Scenario.num_days must be >= 1");
  }
  SECTION("num_days 0.9 truncates to 0 and is rejected") {
    b.replace("num_days: 3", "num_days: 0.9");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 2, "num_days", "Scenario.num_days must be >= 1");
  }
  SECTION("num_days -2 is rejected") {
    b.replace("num_days: 3", "num_days: -2");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 2, "num_days", "Scenario.num_days must be >= 1");
  }
  SECTION("num_days is required") {
    b.replace("num_days: 3\n", "");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 0, "num_days", "is required");
  }
  SECTION("num_days must be a number") {
    b.replace("num_days: 3", "num_days: three");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 2, "num_days", "'three' is not an integer");
  }
  SECTION("start_date is kept for reporting") {
    b.append("start_date: 2025-01-01\n");
    CHECK(load_scenario(b.write()).start_date == std::optional<std::string>("2025-01-01"));
  }
  SECTION("schema_version and harvest_systems are ignored without a warning; other keys warn") {
    b.append("schema_version: 9.9.9\nharvest_systems:\n  x: {jobs: []}\ngeo_crs: EPSG:3005\nsurprise: 1\n");
    const loaded_scenario ls = load_scenario_with_warnings(b.write());
    REQUIRE(ls.warnings.size() == 1);
    CHECK_THAT(ls.warnings[0], Contains("surprise"));
  }
}

TEST_CASE("the data section: required, its keys required, files found relative to the YAML", "[loader]") {
  SECTION("a missing data section") {
    bundle b("nodata");
    b.yaml = "name: T\nnum_days: 3\n";
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 0, "data", "'data' section is required");
  }
  SECTION("data must be a mapping") {
    bundle b("datalist");
    b.yaml = "name: T\nnum_days: 3\ndata: [blocks.csv]\n";
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 3, "data", "must be a mapping");
  }
  for (const char* key : {"blocks", "machines", "landings", "calendar", "prod_rates"}) {
    DYNAMIC_SECTION("a missing data." << key << " key") {
      bundle b(std::string("nokey_") + key);
      const std::string line = std::string("  ") + key + ": ";
      const auto p = b.yaml.find(line);
      REQUIRE(p != std::string::npos);
      b.yaml.erase(p, b.yaml.find('\n', p) - p + 1);
      const fs::path y = b.write();
      const fhops::input_error e = load_error(y);
      CHECK(same_file(e.path(), y));
      CHECK(e.column() == std::string("data.") + key);
      CHECK(e.row() >= 3);
      CHECK_THAT(std::string(e.what()), Contains("is required"));
    }
    DYNAMIC_SECTION("a missing file named by data." << key) {
      bundle b(std::string("nofile_") + key);
      const std::string file = std::string(key) + ".csv";
      b.drop(file);
      const fs::path y = b.write();
      CHECK_REJECTED(y, b.path(file), 0, "", std::string("file not found (named by data.") + key);
    }
  }
  SECTION("paths resolve against the YAML's folder, with ..") {
    bundle b("relpath");
    b.yaml_rel = "scenarios/one/scenario.yaml";
    for (const char* f : {"blocks.csv", "machines.csv", "landings.csv", "calendar.csv", "prod_rates.csv"})
      b.replace(std::string(": ") + f, std::string(": ../../tables/") + f);
    std::map<std::string, std::string> moved;
    for (const auto& [rel, text] : b.files) moved["tables/" + rel] = text;
    b.files = moved;
    const fs::path y = b.write();
    const scenario sc = load_scenario(y);
    CHECK(sc.blocks.size() == 2);
    CHECK(sc.production_rates.size() == 3);
    SECTION("and errors name the file reached through ..") {
      b.set("tables/landings.csv", "id,daily_capacity\nL1,2\nL2,-1\n");
      b.write();
      CHECK_REJECTED(y, b.path("tables/landings.csv"), 3, "daily_capacity", "Landing.daily_capacity must be non-negative");
    }
  }
  SECTION("paths into a subfolder") {
    bundle b("subfolder");
    b.replace(": blocks.csv", ": data/blocks.csv");
    b.files["data/blocks.csv"] = b.files["blocks.csv"];
    b.drop("blocks.csv");
    CHECK(load_scenario(b.write()).blocks.size() == 2);
  }
  SECTION("an absolute data path is used as is") {
    bundle b("abspath");
    const fs::path elsewhere = fhops_test::scratch("loader_abspath_elsewhere") / "my_blocks.csv";
    fhops_test::write(elsewhere, "id,landing_id,work_required\nB1,L1,1\nB2,L2,2\nB3,L1,3\n");
    b.replace(": blocks.csv", ": " + elsewhere.string());
    b.drop("blocks.csv");
    CHECK(load_scenario(b.write()).blocks.size() == 3);
  }
  SECTION("a data path that is a folder") {
    bundle b("datadir");
    b.drop("blocks.csv");
    const fs::path y = b.write();
    fs::create_directories(b.path("blocks.csv"));
    CHECK_REJECTED(y, b.path("blocks.csv"), 0, "", "is a directory");
  }
}

// -------------------------------------------------------------------------------------------------
// CSV structure and cell types (§2.2).

TEST_CASE("CSV structure: empty files, headers, required columns, ragged rows", "[loader]") {
  bundle b("csvshape");
  SECTION("an empty file") {
    b.set("landings.csv", "");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("landings.csv"), 0, "", "file is empty");
  }
  SECTION("a file of blank lines") {
    b.set("calendar.csv", "\n\n\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("calendar.csv"), 0, "", "file is empty");
  }
  SECTION("a header-only file is an empty table") {
    b.set("calendar.csv", "machine_id,day,available\n");
    CHECK(load_scenario(b.write()).calendar.empty());
  }
  SECTION("a wrong header") {
    b.set("blocks.csv", "ident,landing_id,work_required\nB1,L1,10\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 1, "id", "required column is missing");
  }
  const std::vector<std::pair<std::string, std::vector<std::string>>> required{
      {"blocks.csv", {"id", "landing_id", "work_required"}},
      {"machines.csv", {"id"}},
      {"landings.csv", {"id"}},
      {"calendar.csv", {"machine_id", "day"}},
      {"prod_rates.csv", {"machine_id", "block_id", "rate"}}};
  for (const auto& [file, columns] : required) {
    for (const auto& column : columns) {
      DYNAMIC_SECTION(file << " without its required column " << column) {
        // Rename the column in the header only; the data rows stay.
        std::string text = default_files()[file];
        const std::size_t eol = text.find('\n');
        std::string header(1, ',');
        header += text.substr(0, eol);
        header += ',';
        const auto p = header.find("," + column + ",");
        REQUIRE(p != std::string::npos);
        header.replace(p + 1, column.size(), "x_" + column);
        b.set(file, header.substr(1, header.size() - 2) + text.substr(eol));
        const fs::path y = b.write();
        CHECK_REJECTED(y, b.path(file), 1, column, "required column is missing");
      }
    }
  }
  SECTION("a row with more fields than the header") {
    b.set("prod_rates.csv", "machine_id,block_id,rate\nM1,B1,2\nM2,B2,3,4\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("prod_rates.csv"), 3, "", "row has 4 fields, the header has 3");
  }
  SECTION("a short row leaves a required cell missing") {
    b.set("prod_rates.csv", "machine_id,block_id,rate\nM1,B1,2\nM2,B2\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("prod_rates.csv"), 3, "rate", "value is missing");
  }
  SECTION("blank lines are skipped but counted in row numbers") {
    b.set("prod_rates.csv", "machine_id,block_id,rate\n\nM1,B1,2\n\nM2,B2,-3\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("prod_rates.csv"), 5, "rate", "ProductionRate.rate must be non-negative");
  }
  SECTION("a UTF-8 BOM, CRLF line ends and quoted fields are read") {
    b.set("blocks.csv",
          "\xEF\xBB\xBFid,landing_id,work_required\r\n\"B1\",L1,10\r\n\"B,2\",\"L2\",\"5\"\r\n");
    b.set("prod_rates.csv", "machine_id,block_id,rate\r\nM1,B1,2\r\nM2,\"B,2\",3\r\n");
    const scenario sc = load_scenario(b.write());
    REQUIRE(sc.blocks.size() == 2);
    CHECK(sc.blocks[0].id == "B1");
    CHECK(sc.blocks[1].id == "B,2");
    CHECK(sc.blocks[1].work_required == 5.0);
    CHECK(sc.production_rates[1].block_id == "B,2");
  }
}

TEST_CASE("CSV cells: numbers, blanks, integers and ids", "[loader]") {
  bundle b("cells");
  SECTION("a non-numeric cell in a number column") {
    b.set("blocks.csv", "id,landing_id,work_required\nB1,L1,ten\nB2,L2,5\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "work_required", "'ten' is not a number");
  }
  SECTION("a blank float cell is rejected (rate)") {
    b.set("prod_rates.csv", "machine_id,block_id,rate\nM1,B1,2\nM2,B2,\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("prod_rates.csv"), 3, "rate", "value is missing (blank or NA), expected a number");
  }
  SECTION("an NA float cell is rejected (work_required)") {
    b.set("blocks.csv", "id,landing_id,work_required\nB1,L1,NA\nB2,L2,5\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "work_required", "value is missing (blank or NA), expected a number");
  }
  SECTION("a blank float cell in an optional column is rejected (daily_hours)") {
    b.set("machines.csv", "id,daily_hours\nM1,10\nM2,\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 3, "daily_hours", "value is missing");
  }
  SECTION("a non-integral day is rejected") {
    b.set("calendar.csv", "machine_id,day,available\nM1,1,1\nM1,2.5,1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("calendar.csv"), 3, "day", "'2.5' is not an integer");
  }
  SECTION("integral floats are accepted as integers") {
    b.set("calendar.csv", "machine_id,day,available\nM1,3.0,0.0\n");
    b.set("landings.csv", "id,daily_capacity\nL1,2.0\nL2,1\n");
    b.set("blocks.csv", "id,landing_id,work_required,earliest_start,latest_finish\nB1,L1,10,1.0,3.0\nB2,L2,5,2,3\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.calendar[0].day == 3);
    CHECK(sc.calendar[0].available == 0);
    CHECK(sc.landings[0].daily_capacity == 2);
    CHECK(sc.blocks[0].latest_finish == 3);
  }
  SECTION("a non-numeric int cell is rejected") {
    b.set("landings.csv", "id,daily_capacity\nL1,two\nL2,1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("landings.csv"), 2, "daily_capacity", "'two' is not an integer");
  }
  SECTION("a blank int cell is rejected (available)") {
    b.set("calendar.csv", "machine_id,day,available\nM1,1,\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("calendar.csv"), 2, "available", "value is missing");
  }
  SECTION("a blank int cell is rejected (latest_finish)") {
    b.set("blocks.csv", "id,landing_id,work_required,earliest_start,latest_finish\nB1,L1,10,1,3\nB2,L2,5,2,\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 3, "latest_finish", "value is missing");
  }
  SECTION("a blank id is rejected") {
    b.set("machines.csv", "id\nM1\n\"\"\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 3, "id", "value is missing");
  }
  SECTION("a numeric-only block id column is rejected") {
    b.set("blocks.csv", "id,landing_id,work_required\n1,L1,10\n2,L2,5\n3,L1,1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "id", "ids must be text");
  }
  SECTION("a numeric-only machine id column is rejected") {
    b.set("machines.csv", "id\n1\n2\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 2, "id", "ids must be text");
  }
  SECTION("a numeric-only landing id column is rejected") {
    // The blocks' landing_id column is mixed (text), so only landings.csv is numeric.
    b.set("blocks.csv", "id,landing_id,work_required\nB1,1,10\nB2,L2,5\n");
    b.set("landings.csv", "id\n1\n2\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("landings.csv"), 2, "id", "ids must be text");
  }
  SECTION("a numeric-only landing_id column in blocks is rejected") {
    b.set("blocks.csv", "id,landing_id,work_required\nB1,1,10\nB2,2,5\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "landing_id", "ids must be text");
  }
  SECTION("a numeric-only machine_id column in calendar is rejected") {
    b.set("calendar.csv", "machine_id,day\n1,1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("calendar.csv"), 2, "machine_id", "ids must be text");
  }
  SECTION("a numeric-only block_id column in prod_rates is rejected") {
    b.set("prod_rates.csv", "machine_id,block_id,rate\nM1,1,2\nM2,2.0,3\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("prod_rates.csv"), 2, "block_id", "ids must be text");
  }
  SECTION("a numeric-only role column is rejected") {
    b.set("machines.csv", "id,role\nM1,1\nM2,2\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 2, "role", "ids must be text");
  }
  SECTION("mixed id columns are text and accepted") {
    b.set("blocks.csv", "id,landing_id,work_required\n1,L1,10\nB2,L2,5\n");
    b.set("prod_rates.csv", "machine_id,block_id,rate\nM1,1,2\nM2,B2,3\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.blocks[0].id == "1");
    CHECK(sc.production_rates[0].block_id == "1");
  }
  SECTION("ids are not whitespace-stripped") {
    b.set("blocks.csv", "id,landing_id,work_required\nB1,L1 ,10\nB2,L2,5\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "landing_id", "Block B1 references unknown landing_id=L1 ");
  }
  SECTION("a blank optional string cell is rejected (role)") {
    b.set("machines.csv", "id,role\nM1,harvester\nM2,\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 3, "role", "value is missing");
  }
  SECTION("a blank optional string cell is rejected (crew)") {
    b.set("machines.csv", "id,crew\nM1,\nM2,C2\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 2, "crew", "value is missing");
  }
}

// -------------------------------------------------------------------------------------------------
// Entity tables (§2.3 - §2.7).

TEST_CASE("blocks.csv rules (§2.3)", "[loader]") {
  bundle b("blocks");
  const auto blocks = [&](const std::string& rows) {
    b.set("blocks.csv", "id,landing_id,work_required,earliest_start,latest_finish\n" + rows);
    return b.write();
  };
  SECTION("unknown landing") {
    const fs::path y = blocks("B1,L1,10,1,3\nB2,L9,5,1,3\n");
    CHECK_REJECTED(y, b.path("blocks.csv"), 3, "landing_id", "Block B2 references unknown landing_id=L9");
  }
  SECTION("negative work") {
    const fs::path y = blocks("B1,L1,-0.5,1,3\nB2,L2,5,1,3\n");
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "work_required", "Block.work_required must be non-negative");
  }
  SECTION("zero work is allowed") {
    CHECK(load_scenario(blocks("B1,L1,0,1,3\nB2,L2,5,1,3\n")).blocks[0].work_required == 0.0);
  }
  SECTION("earliest_start 0") {
    const fs::path y = blocks("B1,L1,1,0,3\nB2,L2,5,1,3\n");
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "earliest_start", "Block.earliest_start must be >= 1");
  }
  SECTION("latest_finish before earliest_start") {
    const fs::path y = blocks("B1,L1,1,1,3\nB2,L2,5,3,2\n");
    CHECK_REJECTED(y, b.path("blocks.csv"), 3, "latest_finish", "latest_finish must be >= earliest_start");
  }
  SECTION("earliest_start beyond the horizon") {
    const fs::path y = blocks("B1,L1,1,1,3\nB2,L2,5,4,4\n");
    CHECK_REJECTED(y, b.path("blocks.csv"), 3, "earliest_start", "Block B2 earliest_start exceeds num_days=3");
  }
  SECTION("latest_finish beyond the horizon") {
    const fs::path y = blocks("B1,L1,1,1,7\nB2,L2,5,1,3\n");
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "latest_finish", "Block B1 latest_finish exceeds num_days=3");
  }
  SECTION("a window of exactly the horizon is accepted") {
    const scenario sc = load_scenario(blocks("B1,L1,1,3,3\nB2,L2,5,1,3\n"));
    CHECK(sc.blocks[0].earliest_start == 3);
  }
  SECTION("duplicate block ids") {
    const fs::path y = blocks("B1,L1,1,1,3\nB2,L2,5,1,3\nB1,L2,2,1,3\n");
    CHECK_REJECTED(y, b.path("blocks.csv"), 4, "id", "duplicate block id 'B1' (first on row 2)");
  }
  SECTION("negative stand attribute") {
    b.set("blocks.csv", "id,landing_id,work_required,avg_stem_size_m3,ground_slope_percent\nB1,L1,1,0.4,12\nB2,L2,5,0.3,-1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 3, "ground_slope_percent", "Block stand attribute fields must be non-negative");
  }
  SECTION("non-numeric stand attribute") {
    b.set("blocks.csv", "id,landing_id,work_required,volume_per_ha_m3\nB1,L1,1,big\nB2,L2,5,3\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 2, "volume_per_ha_m3", "'big' is not a number");
  }
  SECTION("salvage_processing_mode must be one of the enum values") {
    b.set("blocks.csv", "id,landing_id,work_required,salvage_processing_mode\nB1,L1,1,portable_mill\nB2,L2,5,sawmill\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.csv"), 3, "salvage_processing_mode",
                   "'sawmill' is not one of standard_mill, portable_mill, in_woods_chipping");
  }
  SECTION("salvage_processing_mode values and blanks") {
    b.set("blocks.csv",
          "id,landing_id,work_required,salvage_processing_mode\nB1,L1,1,in_woods_chipping\nB2,L2,5,\nB3,L1,1,standard_mill\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.blocks[0].salvage_processing_mode == std::optional<std::string>("in_woods_chipping"));
    CHECK_FALSE(sc.blocks[1].salvage_processing_mode);
    CHECK(sc.blocks[2].salvage_processing_mode == std::optional<std::string>("standard_mill"));
  }
  SECTION("harvest_system_id: blanks are absent, known ids kept, unknown ids warn") {
    b.set("blocks.csv",
          "id,landing_id,work_required,harvest_system_id\nB1,L1,1,\nB2,L2,5,\"   \"\nB3,L1,1,ground_fb_skid\nB4,L1,1,moon_system\n");
    const loaded_scenario ls = load_scenario_with_warnings(b.write());
    const scenario& sc = ls.scenario;
    CHECK_FALSE(sc.blocks[0].harvest_system_id);
    CHECK_FALSE(sc.blocks[1].harvest_system_id);
    CHECK(sc.blocks[2].harvest_system_id == std::optional<std::string>("ground_fb_skid"));
    CHECK(sc.blocks[3].harvest_system_id == std::optional<std::string>("moon_system"));
    REQUIRE(ls.warnings.size() == 1);
    CHECK_THAT(ls.warnings[0], Contains("B4") && Contains("moon_system"));
    const problem pb(sc);
    CHECK(pb.has_system_id[2] == 1);
    CHECK(pb.system_resolved[2] == 1);
    CHECK(pb.system_resolved[3] == 0);
    CHECK(pb.has_system_id[0] == 0);
  }
}

TEST_CASE("machines.csv and landings.csv rules (§2.4, §2.5)", "[loader]") {
  bundle b("machines");
  SECTION("negative daily_hours") {
    b.set("machines.csv", "id,daily_hours\nM1,-1\nM2,8\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 2, "daily_hours", "Machine numerical fields must be non-negative");
  }
  SECTION("negative operating_cost") {
    b.set("machines.csv", "id,operating_cost\nM1,100\nM2,-5\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 3, "operating_cost", "Machine numerical fields must be non-negative");
  }
  SECTION("negative repair_usage_hours") {
    b.set("machines.csv", "id,repair_usage_hours\nM1,100\nM2,-5\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 3, "repair_usage_hours", "Machine.repair_usage_hours must be non-negative");
  }
  SECTION("non-integral repair_usage_hours") {
    b.set("machines.csv", "id,repair_usage_hours\nM1,10.5\nM2,5\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 2, "repair_usage_hours", "'10.5' is not an integer");
  }
  SECTION("machine values are read") {
    b.set("machines.csv", "id,role,crew,daily_hours,operating_cost,repair_usage_hours\nM1,feller-buncher,C1,9.5,120,3000\nM2,loader,C2,8,0,0\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.machines[0].role == std::optional<std::string>("feller-buncher"));
    CHECK(sc.machines[0].crew == std::optional<std::string>("C1"));
    CHECK(sc.machines[0].daily_hours == 9.5);
    CHECK(sc.machines[0].operating_cost == 120.0);
    CHECK(sc.machines[0].repair_usage_hours == 3000);
  }
  SECTION("duplicate machine ids") {
    b.set("machines.csv", "id\nM1\nM2\nM2\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 4, "id", "duplicate machine id 'M2' (first on row 3)");
  }
  SECTION("negative landing capacity") {
    b.set("landings.csv", "id,daily_capacity\nL1,-1\nL2,1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("landings.csv"), 2, "daily_capacity", "Landing.daily_capacity must be non-negative");
  }
  SECTION("zero landing capacity is allowed") {
    b.set("landings.csv", "id,daily_capacity\nL1,0\nL2,1\n");
    CHECK(load_scenario(b.write()).landings[0].daily_capacity == 0);
  }
  SECTION("duplicate landing ids") {
    b.set("landings.csv", "id,daily_capacity\nL1,1\nL2,1\nL1,3\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("landings.csv"), 4, "id", "duplicate landing id 'L1' (first on row 2)");
  }
}

TEST_CASE("calendar.csv rules and duplicates (§2.6, §3.2)", "[loader]") {
  bundle b("calendar");
  const auto calendar = [&](const std::string& rows) {
    b.set("calendar.csv", "machine_id,day,available\n" + rows);
    return b.write();
  };
  SECTION("unknown machine") {
    const fs::path y = calendar("M1,1,1\nM9,2,0\n");
    CHECK_REJECTED(y, b.path("calendar.csv"), 3, "machine_id", "Calendar entry references unknown machine_id=M9");
  }
  SECTION("day beyond the horizon") {
    const fs::path y = calendar("M1,1,1\nM2,9,1\n");
    CHECK_REJECTED(y, b.path("calendar.csv"), 3, "day", "Calendar entry day 9 exceeds scenario horizon num_days=3");
  }
  SECTION("day num_days + 1 is beyond the horizon, day num_days is not") {
    CHECK(load_scenario(calendar("M1,3,0\n")).calendar[0].day == 3);
    const fs::path y = calendar("M1,3,0\nM2,4,0\n");
    CHECK_REJECTED(y, b.path("calendar.csv"), 3, "day", "Calendar entry day 4 exceeds scenario horizon num_days=3");
  }
  SECTION("day 0") {
    const fs::path y = calendar("M1,0,1\n");
    CHECK_REJECTED(y, b.path("calendar.csv"), 2, "day", "CalendarEntry.day must be >= 1");
  }
  SECTION("available 2") {
    const fs::path y = calendar("M1,1,1\nM1,2,2\n");
    CHECK_REJECTED(y, b.path("calendar.csv"), 3, "available", "CalendarEntry.available must be 0 or 1");
  }
  SECTION("available -1") {
    const fs::path y = calendar("M1,1,-1\n");
    CHECK_REJECTED(y, b.path("calendar.csv"), 2, "available", "CalendarEntry.available must be 0 or 1");
  }
  SECTION("duplicate machine-days: the last row wins, missing pairs are available") {
    const scenario sc = load_scenario(calendar("M1,2,0\nM1,2,1\nM2,3,1\nM2,3,0\n"));
    CHECK(sc.calendar.size() == 4);
    const problem pb(sc);
    REQUIRE(pb.num_slots == 3);  // no timeline: one slot per day
    const int m1 = pb.machine_index("M1"), m2 = pb.machine_index("M2");
    CHECK(pb.available[pb.ms(m1, 1)] == 1);  // day 2: 0 then 1
    CHECK(pb.available[pb.ms(m2, 2)] == 0);  // day 3: 1 then 0
    CHECK(pb.available[pb.ms(m1, 0)] == 1);  // no row
    CHECK(pb.available[pb.ms(m2, 0)] == 1);
  }
}

TEST_CASE("prod_rates.csv rules (§2.7)", "[loader]") {
  bundle b("rates");
  const auto rates = [&](const std::string& rows) {
    b.set("prod_rates.csv", "machine_id,block_id,rate\n" + rows);
    return b.write();
  };
  SECTION("unknown machine") {
    const fs::path y = rates("M1,B1,2\nM9,B2,3\n");
    CHECK_REJECTED(y, b.path("prod_rates.csv"), 3, "machine_id", "Production rate references unknown machine_id=M9");
  }
  SECTION("unknown block") {
    const fs::path y = rates("M1,B7,2\n");
    CHECK_REJECTED(y, b.path("prod_rates.csv"), 2, "block_id", "Production rate references unknown block_id=B7");
  }
  SECTION("negative rate") {
    const fs::path y = rates("M1,B1,2\nM2,B2,-0.1\n");
    CHECK_REJECTED(y, b.path("prod_rates.csv"), 3, "rate", "ProductionRate.rate must be non-negative");
  }
  SECTION("duplicates: the last row wins, missing pairs are 0") {
    const problem pb(load_scenario(rates("M1,B1,2\nM1,B1,7\n")));
    CHECK(pb.rate[pb.mb(pb.machine_index("M1"), pb.block_index("B1"))] == 7.0);
    CHECK(pb.rate[pb.mb(pb.machine_index("M2"), pb.block_index("B1"))] == 0.0);
  }
}

// -------------------------------------------------------------------------------------------------
// Shift calendar, timeline, mobilisation (§2.8 - §2.10).

TEST_CASE("shift calendar: CSV and inline list (§2.8)", "[loader]") {
  bundle b("shiftcal");
  const auto csv = [&](const std::string& rows) {
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  shift_calendar: shifts.csv\n");
    b.set("shifts.csv", "machine_id,day,shift_id,available\n" + rows);
    return b.write();
  };
  SECTION("a CSV shift calendar loads") {
    const scenario sc = load_scenario(csv("M1,1,day,1\nM2,2,night,0\n"));
    REQUIRE(sc.shift_calendar.size() == 2);
    CHECK(sc.shift_calendar[1].machine_id == "M2");
    CHECK(sc.shift_calendar[1].day == 2);
    CHECK(sc.shift_calendar[1].shift_id == "night");
    CHECK(sc.shift_calendar[1].available == 0);
  }
  SECTION("a blank shift_id in the CSV") {
    const fs::path y = csv("M1,1,day,1\nM2,2,,1\n");
    CHECK_REJECTED(y, b.path("shifts.csv"), 3, "shift_id", "ShiftCalendarEntry.shift_id must be non-empty");
  }
  SECTION("a whitespace shift_id in the CSV") {
    const fs::path y = csv("M1,1,\"  \",1\n");
    CHECK_REJECTED(y, b.path("shifts.csv"), 2, "shift_id", "ShiftCalendarEntry.shift_id must be non-empty");
  }
  SECTION("an unknown machine in the CSV") {
    const fs::path y = csv("M1,1,day,1\nM9,2,day,1\n");
    CHECK_REJECTED(y, b.path("shifts.csv"), 3, "machine_id", "Shift calendar entry references unknown machine_id=M9");
  }
  SECTION("a day beyond the horizon in the CSV") {
    const fs::path y = csv("M1,4,day,1\n");
    CHECK_REJECTED(y, b.path("shifts.csv"), 2, "day", "Shift calendar entry day 4 exceeds scenario horizon num_days=3");
  }
  SECTION("day 0 in the CSV") {
    const fs::path y = csv("M1,0,day,1\n");
    CHECK_REJECTED(y, b.path("shifts.csv"), 2, "day", "ShiftCalendarEntry.day must be >= 1");
  }
  SECTION("available 3 in the CSV") {
    const fs::path y = csv("M1,1,day,3\n");
    CHECK_REJECTED(y, b.path("shifts.csv"), 2, "available", "ShiftCalendarEntry.available must be 0 or 1");
  }
  SECTION("a missing shift_id column") {
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  shift_calendar: shifts.csv\n");
    b.set("shifts.csv", "machine_id,day,available\nM1,1,1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("shifts.csv"), 1, "shift_id", "required column is missing");
  }
  SECTION("a missing shift calendar file") {
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  shift_calendar: shifts.csv\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("shifts.csv"), 0, "", "file not found (named by data.shift_calendar");
  }
  SECTION("an inline shift calendar loads") {
    b.append("shift_calendar:\n  - {machine_id: M1, day: 1, shift_id: am}\n  - {machine_id: M2, day: 3, shift_id: pm, available: 0}\n");
    const scenario sc = load_scenario(b.write());
    REQUIRE(sc.shift_calendar.size() == 2);
    CHECK(sc.shift_calendar[0].shift_id == "am");
    CHECK(sc.shift_calendar[0].available == 1);
    CHECK(sc.shift_calendar[1].available == 0);
    const problem pb(sc);
    CHECK(pb.has_shift_calendar);
    CHECK(pb.num_slots == 1);  // only (1, am) has an available row
  }
  SECTION("data.shift_calendar wins over the inline list") {
    b.append("shift_calendar:\n  - {machine_id: M9, day: 1, shift_id: am}\n");
    const scenario sc = load_scenario(csv("M2,2,night,1\n"));
    REQUIRE(sc.shift_calendar.size() == 1);
    CHECK(sc.shift_calendar[0].machine_id == "M2");
  }
  SECTION("an inline blank shift_id") {
    b.append("shift_calendar:\n  - {machine_id: M1, day: 1, shift_id: am}\n  - {machine_id: M1, day: 2, shift_id: \" \"}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 11, "shift_calendar[1].shift_id", "ShiftCalendarEntry.shift_id must be non-empty");
  }
  SECTION("an inline entry without shift_id") {
    b.append("shift_calendar:\n  - {machine_id: M1, day: 2}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "shift_calendar[0].shift_id", "ShiftCalendarEntry.shift_id must be non-empty");
  }
  SECTION("an inline unknown machine") {
    b.append("shift_calendar:\n  - {machine_id: M1, day: 1, shift_id: am}\n  - {machine_id: M7, day: 2, shift_id: am}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 0, "shift_calendar[1].machine_id", "Shift calendar entry references unknown machine_id=M7");
  }
  SECTION("an inline day beyond the horizon") {
    b.append("shift_calendar:\n  - {machine_id: M1, day: 5, shift_id: am}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 0, "shift_calendar[0].day", "Shift calendar entry day 5 exceeds scenario horizon num_days=3");
  }
  SECTION("an inline available 2") {
    b.append("shift_calendar:\n  - {machine_id: M1, day: 1, shift_id: am, available: 2}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "shift_calendar[0].available", "ShiftCalendarEntry.available must be 0 or 1");
  }
  SECTION("an inline shift calendar must be a list") {
    b.append("shift_calendar: {machine_id: M1}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 9, "shift_calendar", "must be a list");
  }
}

TEST_CASE("timeline rules (§2.9)", "[loader]") {
  bundle b("timeline");
  SECTION("a valid timeline") {
    b.append(
        "timeline:\n"
        "  shifts:\n"
        "    - {name: day, hours: 10, shifts_per_day: 2}\n"
        "    - {name: night, hours: 8.5}\n"
        "  blackouts:\n"
        "    - {start_day: 2, end_day: 2, reason: maintenance}\n"
        "    - {start_day: 3, end_day: 40}\n"
        "  days_per_week: 5\n");
    const scenario sc = load_scenario(b.write());
    REQUIRE(sc.timeline);
    REQUIRE(sc.timeline->shifts.size() == 2);
    CHECK(sc.timeline->shifts[0].shifts_per_day == 2);
    CHECK(sc.timeline->shifts[1].hours == 8.5);
    CHECK(sc.timeline->shifts[1].shifts_per_day == 1);
    REQUIRE(sc.timeline->blackouts.size() == 2);
    CHECK(sc.timeline->blackouts[0].reason == std::optional<std::string>("maintenance"));
    CHECK(sc.timeline->blackouts[1].end_day == 40);  // beyond the horizon: accepted
    CHECK(sc.timeline->days_per_week == 5);
    const problem pb(sc);
    CHECK(pb.num_slots == 6);  // one slot per definition per day; shifts_per_day ignored
  }
  SECTION("days_per_week defaults to 7, blackouts to none") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 10}\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.timeline->days_per_week == 7);
    CHECK(sc.timeline->blackouts.empty());
  }
  SECTION("shifts are required") {
    b.append("timeline:\n  days_per_week: 5\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "timeline.shifts", "is required");
  }
  SECTION("hours 0") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 0}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 11, "timeline.shifts[0].hours", "hours must be positive");
  }
  SECTION("negative hours") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8}\n    - {name: night, hours: -8}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 12, "timeline.shifts[1].hours", "hours must be positive");
  }
  SECTION("hours are required") {
    b.append("timeline:\n  shifts:\n    - {name: day}\n");
    const fs::path y = b.write();
    const fhops::input_error e = load_error(y);
    CHECK(e.column() == "timeline.shifts[0].hours");
    CHECK_THAT(std::string(e.what()), Contains("is required"));
  }
  SECTION("shifts_per_day 0") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8, shifts_per_day: 0}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 11, "timeline.shifts[0].shifts_per_day", "shifts_per_day must be positive");
  }
  SECTION("shifts_per_day 1.5") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8, shifts_per_day: 1.5}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 11, "timeline.shifts[0].shifts_per_day", "is not an integer");
  }
  SECTION("blackout end before start") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8}\n  blackouts:\n    - {start_day: 3, end_day: 2}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 13, "timeline.blackouts[0].end_day", "end_day must be >= start_day");
  }
  SECTION("days_per_week 0") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8}\n  days_per_week: 0\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 12, "timeline.days_per_week", "days_per_week must be positive");
  }
  SECTION("days_per_week -1") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8}\n  days_per_week: -1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 12, "timeline.days_per_week", "days_per_week must be positive");
  }
  SECTION("duplicate shift names") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8}\n    - {name: day, hours: 4}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 12, "timeline.shifts[1].name", "duplicate shift name 'day'");
  }
  SECTION("the timeline must be a mapping") {
    b.append("timeline: [day]\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 9, "timeline", "must be a mapping");
  }
}

TEST_CASE("mobilisation rules (§2.10)", "[loader]") {
  bundle b("mobilisation");
  const std::string params =
      "mobilisation:\n"
      "  machine_params:\n"
      "    - {machine_id: M1, walk_cost_per_meter: 0.5, move_cost_flat: 60, walk_threshold_m: 800, setup_cost: 10}\n"
      "    - {machine_id: M2, walk_cost_per_meter: 0.2, move_cost_flat: 30}\n";
  SECTION("a valid section with defaults") {
    b.append(params);
    const loaded_scenario ls = load_scenario_with_warnings(b.write());
    REQUIRE(ls.scenario.mobilisation);
    const auto& m = *ls.scenario.mobilisation;
    REQUIRE(m.machine_params.size() == 2);
    CHECK(m.machine_params[0].walk_threshold_m == 800.0);
    CHECK(m.machine_params[0].setup_cost == 10.0);
    CHECK(m.machine_params[1].walk_threshold_m == 1000.0);
    CHECK(m.machine_params[1].setup_cost == 0.0);
    CHECK(m.default_walk_threshold_m == 1000.0);
    CHECK(m.distances.empty());
    CHECK(ls.warnings.empty());
  }
  SECTION("machine_params are required") {
    b.append("mobilisation:\n  default_walk_threshold_m: 500\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "mobilisation.machine_params", "is required");
  }
  SECTION("move_cost_flat is required") {
    b.append("mobilisation:\n  machine_params:\n    - {machine_id: M1, walk_cost_per_meter: 0.5}\n");
    const fs::path y = b.write();
    const fhops::input_error e = load_error(y);
    CHECK(e.column() == "mobilisation.machine_params[0].move_cost_flat");
    CHECK_THAT(std::string(e.what()), Contains("is required"));
  }
  SECTION("negative walk_cost_per_meter") {
    b.append("mobilisation:\n  machine_params:\n    - {machine_id: M1, walk_cost_per_meter: -0.5, move_cost_flat: 1}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 11, "mobilisation.machine_params[0].walk_cost_per_meter",
                   "mobilisation parameters must be non-negative");
  }
  SECTION("negative move_cost_flat") {
    b.append("mobilisation:\n  machine_params:\n    - {machine_id: M1, walk_cost_per_meter: 0.5, move_cost_flat: -1}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 11, "mobilisation.machine_params[0].move_cost_flat", "mobilisation parameters must be non-negative");
  }
  SECTION("negative walk_threshold_m") {
    b.append(params + "    - {machine_id: M1, walk_cost_per_meter: 0, move_cost_flat: 0, walk_threshold_m: -3}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 13, "mobilisation.machine_params[2].walk_threshold_m",
                   "mobilisation parameters must be non-negative");
  }
  SECTION("negative setup_cost") {
    b.append("mobilisation:\n  machine_params:\n    - {machine_id: M1, walk_cost_per_meter: 0.5, move_cost_flat: 1, setup_cost: -10}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 11, "mobilisation.machine_params[0].setup_cost", "mobilisation parameters must be non-negative");
  }
  SECTION("negative default_walk_threshold_m") {
    b.append(params + "  default_walk_threshold_m: -1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 13, "mobilisation.default_walk_threshold_m", "mobilisation parameters must be non-negative");
  }
  SECTION("params for an unknown machine are kept with a warning") {
    b.append(params + "    - {machine_id: M9, walk_cost_per_meter: 0, move_cost_flat: 0}\n");
    const loaded_scenario ls = load_scenario_with_warnings(b.write());
    CHECK(ls.scenario.mobilisation->machine_params.size() == 3);
    REQUIRE(ls.warnings.size() == 1);
    CHECK_THAT(ls.warnings[0], Contains("M9"));
  }
  SECTION("inline distances") {
    b.append(params + "  distances:\n    - {from_block: B1, to_block: B2, distance_m: 250}\n");
    const scenario sc = load_scenario(b.write());
    REQUIRE(sc.mobilisation->distances.size() == 1);
    CHECK(sc.mobilisation->distances[0].distance_m == 250.0);
    const problem pb(sc);
    CHECK(pb.distance[pb.block_index("B2") * pb.num_blocks + pb.block_index("B1")] == 250.0);  // symmetrised
  }
  SECTION("a negative inline distance") {
    b.append(params + "  distances:\n    - {from_block: B1, to_block: B2, distance_m: 5}\n    - {from_block: B2, to_block: B1, distance_m: -5}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 15, "mobilisation.distances[1].distance_m", "distance_m must be non-negative");
  }
  SECTION("a distance file without distance_m") {
    b.append(params + "  distance_csv: dist.csv\n");
    b.set("dist.csv", "from_block,to_block,meters\nB1,B2,5\n");
    const fs::path y = b.write();
    const fhops::input_error e = load_error(y);
    CHECK(same_file(e.path(), b.path("dist.csv")));
    CHECK(e.row() == 1);
    CHECK_THAT(std::string(e.what()), Contains("Mobilisation distance file") && Contains("dist.csv") &&
                                          Contains("is missing required columns") && Contains("'distance_m'"));
    CHECK_THAT(std::string(e.what()), !Contains("'from_block'"));
  }
  SECTION("a distance file without from_block and to_block") {
    b.append(params);
    b.set("mobilisation_distances.csv", "a,b,distance_m\nB1,B2,5\n");
    const fs::path y = b.write();
    const fhops::input_error e = load_error(y);
    CHECK(same_file(e.path(), b.path("mobilisation_distances.csv")));
    CHECK_THAT(std::string(e.what()),
               Contains("is missing required columns") && Contains("'from_block'") && Contains("'to_block'"));
  }
  SECTION("a negative distance in a file") {
    b.append(params + "  distance_csv: dist.csv\n");
    b.set("dist.csv", "from_block,to_block,distance_m\nB1,B2,5\nB2,B1,-1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("dist.csv"), 3, "distance_m", "distance_m must be non-negative");
  }
  SECTION("distance rows naming unknown blocks are kept with a warning") {
    b.append(params + "  distance_csv: dist.csv\n");
    b.set("dist.csv", "from_block,to_block,distance_m\nB1,B2,5\nX1,B2,7\n");
    const loaded_scenario ls = load_scenario_with_warnings(b.write());
    CHECK(ls.scenario.mobilisation->distances.size() == 2);
    REQUIRE(ls.warnings.size() == 1);
    CHECK_THAT(ls.warnings[0], Contains("1 distance rows name unknown blocks"));
  }
  SECTION("the distance back-fill takes the first existing of four files") {
    // distance_csv (11), data.mobilisation_distances (22), <slug>_block_distances.csv (33),
    // mobilisation_distances.csv (44); the slug of "Test Bundle" is test_bundle.
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  mobilisation_distances: tables/d2.csv\n");
    b.append(params + "  distance_csv: tables/d1.csv\n");
    const auto dist = [](int d) { return "from_block,to_block,distance_m\nB1,B2," + std::to_string(d) + "\n"; };
    b.set("tables/d1.csv", dist(11));
    b.set("tables/d2.csv", dist(22));
    b.set("test_bundle_block_distances.csv", dist(33));
    b.set("mobilisation_distances.csv", dist(44));
    const auto used = [&]() {
      const scenario sc = load_scenario(b.write());
      REQUIRE(sc.mobilisation);
      return sc.mobilisation->distances.empty() ? 0.0 : sc.mobilisation->distances[0].distance_m;
    };
    SECTION("1. mobilisation.distance_csv") { CHECK(used() == 11.0); }
    SECTION("2. data.mobilisation_distances") {
      b.drop("tables/d1.csv");
      CHECK(used() == 22.0);
    }
    SECTION("3. <slug>_block_distances.csv") {
      b.drop("tables/d1.csv").drop("tables/d2.csv");
      CHECK(used() == 33.0);
    }
    SECTION("4. mobilisation_distances.csv") {
      b.drop("tables/d1.csv").drop("tables/d2.csv").drop("test_bundle_block_distances.csv");
      CHECK(used() == 44.0);
    }
    SECTION("none: no distances") {
      b.files = default_files();
      CHECK(used() == 0.0);
    }
    SECTION("inline distances suppress the files, even a broken one") {
      b.set("tables/d1.csv", "nonsense\n1\n");
      b.append("  distances:\n    - {from_block: B1, to_block: B2, distance_m: 99}\n");
      CHECK(used() == 99.0);
    }
  }
  SECTION("the slug lower-cases the name and replaces spaces") {
    b.replace("name: Test Bundle", "name: My Big Bundle");
    b.append(params);
    b.set("my_big_bundle_block_distances.csv", "from_block,to_block,distance_m\nB1,B2,12\n");
    const scenario sc = load_scenario(b.write());
    REQUIRE(sc.mobilisation->distances.size() == 1);
    CHECK(sc.mobilisation->distances[0].distance_m == 12.0);
  }
  SECTION("without a mobilisation section every distance file is ignored") {
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  mobilisation_distances: broken.csv\n");
    b.set("broken.csv", "nonsense\n1\n");
    b.set("mobilisation_distances.csv", "from_block,to_block,distance_m\nB1,B2,-5\n");
    b.set("test_bundle_block_distances.csv", "x\n");
    const scenario sc = load_scenario(b.write());
    CHECK_FALSE(sc.mobilisation);
    const problem pb(sc);
    CHECK_FALSE(pb.has_mobilisation);
  }
}

// -------------------------------------------------------------------------------------------------
// Locks and weights (§2.11, §2.12).

TEST_CASE("locked_assignments (§2.11 and the stricter checks)", "[loader]") {
  bundle b("locks");
  SECTION("a valid lock loads and covers the day") {
    b.append("locked_assignments:\n  - {machine_id: M1, block_id: B2, day: 3}\n");
    const scenario sc = load_scenario(b.write());
    REQUIRE(sc.locked_assignments.size() == 1);
    CHECK(sc.locked_assignments[0].machine_id == "M1");
    CHECK(sc.locked_assignments[0].block_id == "B2");
    CHECK(sc.locked_assignments[0].day == 3);
    const problem pb(sc);
    CHECK(pb.lock[pb.ms(pb.machine_index("M1"), 2)] == pb.block_index("B2"));
    CHECK(pb.lock[pb.ms(pb.machine_index("M1"), 1)] == -1);
  }
  SECTION("a later lock of the same machine-day overwrites the earlier one") {
    b.append("locked_assignments:\n  - {machine_id: M2, block_id: B1, day: 2}\n  - {machine_id: M2, block_id: B2, day: 2.0}\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.locked_assignments.size() == 2);
    const problem pb(sc);
    CHECK(pb.lock[pb.ms(pb.machine_index("M2"), 1)] == pb.block_index("B2"));
  }
  SECTION("an unknown machine") {
    b.append("locked_assignments:\n  - {machine_id: M1, block_id: B1, day: 1}\n  - {machine_id: M5, block_id: B1, day: 1}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 11, "locked_assignments[1].machine_id", "lock references unknown machine_id=M5");
  }
  SECTION("an unknown block") {
    b.append("locked_assignments:\n  - {machine_id: M1, block_id: B5, day: 1}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "locked_assignments[0].block_id", "lock references unknown block_id=B5");
  }
  SECTION("day 0") {
    b.append("locked_assignments:\n  - {machine_id: M1, block_id: B1, day: 0}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "locked_assignments[0].day", "lock day 0 is outside 1..3");
  }
  SECTION("a day beyond the horizon") {
    b.append("locked_assignments:\n  - machine_id: M1\n    block_id: B1\n    day: 4\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 12, "locked_assignments[0].day", "lock day 4 is outside 1..3");
  }
  SECTION("a missing day") {
    b.append("locked_assignments:\n  - {machine_id: M1, block_id: B1}\n");
    const fs::path y = b.write();
    const fhops::input_error e = load_error(y);
    CHECK(e.column() == "locked_assignments[0].day");
    CHECK_THAT(std::string(e.what()), Contains("is required"));
  }
  SECTION("locks must be a list") {
    b.append("locked_assignments: {machine_id: M1}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 9, "locked_assignments", "must be a list");
  }
}

TEST_CASE("objective_weights (§2.12)", "[loader]") {
  bundle b("weights");
  SECTION("partial weights default to 1, 1, 0, 0") {
    b.append("objective_weights:\n  mobilisation: 0.5\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.weights.production == 1.0);
    CHECK(sc.weights.mobilisation == 0.5);
    CHECK(sc.weights.transitions == 0.0);
    CHECK(sc.weights.landing_slack == 0.0);
  }
  SECTION("all four weights") {
    b.append("objective_weights: {production: 2, mobilisation: 0, transitions: 3.5, landing_slack: 4}\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.weights.production == 2.0);
    CHECK(sc.weights.mobilisation == 0.0);
    CHECK(sc.weights.transitions == 3.5);
    CHECK(sc.weights.landing_slack == 4.0);
  }
  const std::vector<std::string> keys{"production", "mobilisation", "transitions", "landing_slack"};
  for (std::size_t k = 0; k < keys.size(); ++k) {
    DYNAMIC_SECTION("a negative " << keys[k] << " weight") {
      // objective_weights is line 9; the four keys follow on lines 10..13.
      b.append("objective_weights:\n");
      for (std::size_t j = 0; j < keys.size(); ++j) b.append("  " + keys[j] + (j == k ? ": -0.1\n" : ": 1\n"));
      const fs::path y = b.write();
      CHECK_REJECTED(y, y, 10 + k, "objective_weights." + keys[k], "Objective weight components must be non-negative");
    }
  }
  SECTION("landing_surplus is ignored with a warning") {
    b.append("objective_weights:\n  production: 1\n  landing_surplus: 5\n");
    const loaded_scenario ls = load_scenario_with_warnings(b.write());
    CHECK(ls.scenario.weights.landing_slack == 0.0);
    REQUIRE(ls.warnings.size() == 1);
    CHECK_THAT(ls.warnings[0], Contains("objective_weights.landing_surplus"));
  }
  SECTION("a non-numeric weight") {
    b.append("objective_weights:\n  transitions: lots\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "objective_weights.transitions", "'lots' is not a number");
  }
  SECTION("weights must be a mapping") {
    b.append("objective_weights: [1, 1]\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 9, "objective_weights", "must be a mapping");
  }
}

// -------------------------------------------------------------------------------------------------
// Reporting-only extras (§2.13).

TEST_CASE("crew_assignments (§2.13)", "[loader]") {
  bundle b("crews");
  b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  crew_assignments: crews.csv\n");
  SECTION("a valid crew file; unknown machines and duplicate crews are not checked") {
    b.set("crews.csv", "crew_id,machine_id,primary_role,notes\nC1,M1,feller,first\nC1,M9,loader,second\n");
    const scenario sc = load_scenario(b.write());
    REQUIRE(sc.crew_assignments.size() == 2);
    CHECK(sc.crew_assignments[0].crew_id == "C1");
    CHECK(sc.crew_assignments[1].machine_id == "M9");
    CHECK(sc.crew_assignments[1].primary_role == std::optional<std::string>("loader"));
    CHECK(sc.crew_assignments[0].notes == std::optional<std::string>("first"));
  }
  SECTION("a missing crew_id column") {
    b.set("crews.csv", "crew,machine_id\nC1,M1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("crews.csv"), 1, "crew_id", "required column is missing");
  }
  SECTION("a missing machine_id column") {
    b.set("crews.csv", "crew_id\nC1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("crews.csv"), 1, "machine_id", "required column is missing");
  }
  SECTION("a blank primary_role") {
    b.set("crews.csv", "crew_id,machine_id,primary_role\nC1,M1,feller\nC2,M2,\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("crews.csv"), 3, "primary_role", "value is missing");
  }
  SECTION("numeric crew ids") {
    b.set("crews.csv", "crew_id,machine_id\n1,M1\n2,M2\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("crews.csv"), 2, "crew_id", "ids must be text");
  }
  SECTION("a missing crew file") {
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("crews.csv"), 0, "", "file not found (named by data.crew_assignments");
  }
}

TEST_CASE("road_construction: CSV and inline (§2.13)", "[loader]") {
  bundle b("roads");
  const auto csv = [&](const std::string& rows) {
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  road_construction: roads.csv\n");
    b.set("roads.csv", "id,machine_slug,road_length_m,include_mobilisation,soil_profile_ids,notes\n" + rows);
    return b.write();
  };
  SECTION("a valid road file") {
    const scenario sc = load_scenario(csv(" R1 , grader ,120.5,false,S1|S2,spur\nR2,dozer,50,yes,\"S3, S4\",main\n"));
    REQUIRE(sc.road_construction.size() == 2);
    CHECK(sc.road_construction[0].id == "R1");  // stripped
    CHECK(sc.road_construction[0].machine_slug == "grader");
    CHECK(sc.road_construction[0].road_length_m == 120.5);
    CHECK_FALSE(sc.road_construction[0].include_mobilisation);
    CHECK(sc.road_construction[0].soil_profile_ids == std::vector<std::string>{"S1", "S2"});
    CHECK(sc.road_construction[1].include_mobilisation);
    CHECK(sc.road_construction[1].soil_profile_ids == std::vector<std::string>{"S3", "S4"});
    CHECK(sc.road_construction[1].notes == std::optional<std::string>("main"));
  }
  SECTION("road_length_m 0") {
    const fs::path y = csv("R1,grader,0,true,S1,n\n");
    CHECK_REJECTED(y, b.path("roads.csv"), 2, "road_length_m", "RoadConstruction.road_length_m must be > 0");
  }
  SECTION("negative road_length_m") {
    const fs::path y = csv("R1,grader,10,true,S1,n\nR2,grader,-10,true,S1,n\n");
    CHECK_REJECTED(y, b.path("roads.csv"), 3, "road_length_m", "RoadConstruction.road_length_m must be > 0");
  }
  SECTION("a whitespace id") {
    const fs::path y = csv("\"  \",grader,10,true,S1,n\n");
    CHECK_REJECTED(y, b.path("roads.csv"), 2, "id", "RoadConstruction id/machine_slug must be non-empty");
  }
  SECTION("a whitespace machine_slug") {
    const fs::path y = csv("R1,\" \",10,true,S1,n\n");
    CHECK_REJECTED(y, b.path("roads.csv"), 2, "machine_slug", "RoadConstruction id/machine_slug must be non-empty");
  }
  SECTION("include_mobilisation must be a boolean") {
    const fs::path y = csv("R1,grader,10,maybe,S1,n\n");
    CHECK_REJECTED(y, b.path("roads.csv"), 2, "include_mobilisation", "'maybe' is not a boolean");
  }
  SECTION("a missing road_length_m column") {
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  road_construction: roads.csv\n");
    b.set("roads.csv", "id,machine_slug\nR1,grader\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("roads.csv"), 1, "road_length_m", "required column is missing");
  }
  SECTION("an inline road list") {
    b.append("road_construction:\n  - {id: R1, machine_slug: grader, road_length_m: 30, soil_profile_ids: [S1, S2]}\n"
             "  - {id: R2, machine_slug: dozer, road_length_m: 5, include_mobilisation: false, soil_profile_ids: \"A|B\"}\n");
    const scenario sc = load_scenario(b.write());
    REQUIRE(sc.road_construction.size() == 2);
    CHECK(sc.road_construction[0].include_mobilisation);
    CHECK(sc.road_construction[0].soil_profile_ids == std::vector<std::string>{"S1", "S2"});
    CHECK_FALSE(sc.road_construction[1].include_mobilisation);
    CHECK(sc.road_construction[1].soil_profile_ids == std::vector<std::string>{"A", "B"});
  }
  SECTION("an inline road with length 0") {
    b.append("road_construction:\n  - {id: R1, machine_slug: grader, road_length_m: 0, soil_profile_ids: []}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "road_construction[0].road_length_m", "RoadConstruction.road_length_m must be > 0");
  }
  SECTION("an inline road without a slug") {
    b.append("road_construction:\n  - {id: R1, road_length_m: 3, soil_profile_ids: S1}\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 10, "road_construction[0].machine_slug", "RoadConstruction id/machine_slug must be non-empty");
  }
  SECTION("data.road_construction wins over the inline list") {
    b.append("road_construction:\n  - {id: R1, machine_slug: grader, road_length_m: 0}\n");
    const scenario sc = load_scenario(csv("R7,grader,10,true,S1,n\n"));
    REQUIRE(sc.road_construction.size() == 1);
    CHECK(sc.road_construction[0].id == "R7");
  }
}

TEST_CASE("GeoJSON extras (§2.13)", "[loader]") {
  bundle b("geo");
  const auto feature = [](const std::string& prop, const std::string& id) {
    return "{\"type\":\"Feature\",\"properties\":{\"" + prop + "\":\"" + id + "\"},\"geometry\":null}";
  };
  const std::string blocks_ok =
      "{\"type\":\"FeatureCollection\",\"features\":[" + feature("block_id", "B1") + "," + feature("block_id", "B2") + "]}";
  SECTION("a missing GeoJSON file is only a warning") {
    b.append("geo_block_path: ../geo/blocks.geojson\n");
    const loaded_scenario ls = load_scenario_with_warnings(b.write());
    CHECK(ls.scenario.blocks.size() == 2);
    REQUIRE(ls.warnings.size() == 1);
    CHECK_THAT(ls.warnings[0], Contains("geo_block_path") && Contains("blocks.geojson") && Contains("not found"));
  }
  SECTION("a valid block and landing GeoJSON; ids from properties or from feature.id") {
    b.append("geo_block_path: blocks.geojson\ngeo_landing_path: landings.geojson\n");
    b.set("blocks.geojson", blocks_ok);
    b.set("landings.geojson",
          "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"id\":\"L1\",\"properties\":{}},"
          "{\"type\":\"Feature\",\"id\":\"L2\"}]}");
    const loaded_scenario ls = load_scenario_with_warnings(b.write());
    CHECK(ls.warnings.empty());
  }
  SECTION("data.geo_block_path is used when there is no top-level key") {
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  geo_block_path: blocks.geojson\n");
    b.set("blocks.geojson", "{\"type\":\"Feature\"}");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.geojson"), 0, "", "must be a FeatureCollection");
  }
  SECTION("the top-level geo_block_path wins over data's") {
    b.replace("  prod_rates: prod_rates.csv\n", "  prod_rates: prod_rates.csv\n  geo_block_path: bad.geojson\n");
    b.append("geo_block_path: blocks.geojson\n");
    b.set("bad.geojson", "{\"type\":\"Feature\"}");
    b.set("blocks.geojson", blocks_ok);
    CHECK(load_scenario_with_warnings(b.write()).warnings.empty());
  }
  SECTION("not a FeatureCollection") {
    b.append("geo_block_path: blocks.geojson\n");
    b.set("blocks.geojson", "{\"type\":\"GeometryCollection\",\"features\":[]}");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.geojson"), 0, "", "must be a FeatureCollection");
  }
  SECTION("not JSON") {
    b.append("geo_block_path: blocks.geojson\n");
    b.set("blocks.geojson", "{\"type\": ");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.geojson"), 0, "", "is not valid JSON");
  }
  SECTION("empty features") {
    b.append("geo_block_path: blocks.geojson\n");
    b.set("blocks.geojson", "{\"type\":\"FeatureCollection\",\"features\":[]}");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.geojson"), 0, "", "must contain feature entries");
  }
  SECTION("no features key") {
    b.append("geo_landing_path: landings.geojson\n");
    b.set("landings.geojson", "{\"type\":\"FeatureCollection\"}");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("landings.geojson"), 0, "", "must contain feature entries");
  }
  SECTION("a feature without an id") {
    b.append("geo_block_path: blocks.geojson\n");
    b.set("blocks.geojson", "{\"type\":\"FeatureCollection\",\"features\":[" + feature("block_id", "B1") + "," +
                                feature("name", "B2") + "]}");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.geojson"), 0, "", "missing 'block_id' property on feature");
  }
  SECTION("a landing feature without an id") {
    b.append("geo_landing_path: landings.geojson\n");
    b.set("landings.geojson", "{\"type\":\"FeatureCollection\",\"features\":[" + feature("block_id", "L1") + "]}");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("landings.geojson"), 0, "", "missing 'landing_id' property on feature");
  }
  SECTION("an unknown id") {
    b.append("geo_block_path: blocks.geojson\n");
    b.set("blocks.geojson", "{\"type\":\"FeatureCollection\",\"features\":[" + feature("block_id", "B1") + "," +
                                feature("block_id", "B2") + "," + feature("block_id", "B9") + "]}");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("blocks.geojson"), 0, "", "feature id 'B9' not found in scenario IDs");
  }
  SECTION("a missing id") {
    b.append("geo_landing_path: landings.geojson\n");
    b.set("landings.geojson", "{\"type\":\"FeatureCollection\",\"features\":[" + feature("landing_id", "L2") + "]}");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("landings.geojson"), 0, "", "missing features for ids: ['L1']");
  }
}

// -------------------------------------------------------------------------------------------------
// The reference bundles.

TEST_CASE("every reference bundle loads", "[loader][reference]") {
  if (!fhops_test::have_reference()) return;
  const std::vector<std::pair<std::string, int>> bundles{
      {"scenarios/minitoy/scenario.yaml", 14},         {"scenarios/small21/scenario.yaml", 21},
      {"scenarios/med42/scenario.yaml", 42},           {"scenarios/large84/scenario.yaml", 84},
      {"scenarios/synthetic/small/scenario.yaml", 6},  {"scenarios/synthetic/medium/scenario.yaml", 12},
      {"scenarios/synthetic/large/scenario.yaml", 18}, {"scenarios/minimal/scenario.yaml", 1},
      {"scenarios/typical/scenario.yaml", 5},          {"scenarios/regression/regression.yaml", 4}};
  for (const auto& [rel, days] : bundles) {
    INFO(rel);
    const scenario sc = load_scenario(fhops_test::reference(rel));
    CHECK(sc.num_days == days);
    CHECK_FALSE(sc.blocks.empty());
    CHECK_FALSE(sc.machines.empty());
  }
  SECTION("minitoy reads its distance_csv; med42's ../ distance file is unreachable (Q23)") {
    const scenario minitoy = load_scenario(fhops_test::reference("scenarios/minitoy/scenario.yaml"));
    REQUIRE(minitoy.mobilisation);
    CHECK_FALSE(minitoy.mobilisation->distances.empty());
    CHECK(minitoy.weights.mobilisation == 0.5);
    const scenario med42 = load_scenario(fhops_test::reference("scenarios/med42/scenario.yaml"));
    REQUIRE(med42.mobilisation);
    CHECK(med42.mobilisation->distances.empty());
  }
  SECTION("typical: no mobilisation section, so its distance file is ignored (Q24); absent GeoJSON warns") {
    const loaded_scenario ls = load_scenario_with_warnings(fhops_test::reference("scenarios/typical/scenario.yaml"));
    CHECK_FALSE(ls.scenario.mobilisation);
    REQUIRE(ls.scenario.timeline);
    CHECK(ls.scenario.timeline->days_per_week == 5);
    CHECK(ls.scenario.crew_assignments.size() == 2);
    CHECK(has_warning(ls.warnings, "geo_block_path"));
    CHECK(has_warning(ls.warnings, "geo_landing_path"));
  }
  SECTION("synthetic: road and crew files, embedded harvest_systems ignored") {
    const scenario sc = load_scenario(fhops_test::reference("scenarios/synthetic/small/scenario.yaml"));
    CHECK_FALSE(sc.road_construction.empty());
    CHECK_FALSE(sc.crew_assignments.empty());
    CHECK(sc.timeline);
  }
}

TEST_CASE("the invalid reference bundles are rejected", "[loader][reference]") {
  if (!fhops_test::have_reference()) return;
  SECTION("invalid: unknown landing") {
    const fs::path y = fhops_test::reference("scenarios/invalid/scenario.yaml");
    CHECK_REJECTED(y, fhops_test::reference("scenarios/invalid/blocks.csv"), 2, "landing_id",
                   "Block B1 references unknown landing_id=L2");
  }
  SECTION("typical/locked.yaml: num_days 2 is shorter than B1's window") {
    const fs::path y = fhops_test::reference("scenarios/typical/locked.yaml");
    CHECK_REJECTED(y, fhops_test::reference("scenarios/typical/blocks.csv"), 2, "latest_finish",
                   "Block B1 latest_finish exceeds num_days=2");
  }
}

// -------------------------------------------------------------------------------------------------
// Loader bugs found while writing these tests (fixed since).

TEST_CASE("a scalar where a list entry mapping is expected is an input_error", "[loader]") {
  // The loader's contract: every rejection is an fhops::input_error naming file, line and key.
  // A scalar list entry makes yaml-cpp's operator[] throw YAML::BadSubscript instead.
  bundle b("scalarentry");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"locked_assignments: [5]\n", "locked_assignments"},
      {"shift_calendar:\n  - M1\n", "shift_calendar"},
      {"timeline:\n  shifts: [day]\n", "timeline.shifts"},
      {"mobilisation:\n  machine_params: [M1]\n", "mobilisation.machine_params"},
      {"road_construction: [R1]\n", "road_construction"},
      {"mobilisation:\n  machine_params:\n    - {machine_id: M1, walk_cost_per_meter: 1, move_cost_flat: 1}\n"
       "  distances: [5]\n",
       "mobilisation.distances"}};
  for (const auto& [text, key] : cases) {
    DYNAMIC_SECTION(key << " with a scalar entry") {
      b.append(text);
      const fs::path y = b.write();
      bool input_error_thrown = false;
      try {
        (void)load_scenario_with_warnings(y);
      } catch (const fhops::input_error& e) {
        input_error_thrown = true;
        CHECK(same_file(e.path(), y));
        CHECK_THAT(e.column(), Contains(key));
      } catch (const std::exception& e) {
        FAIL_CHECK("not an input_error: " << e.what());
      }
      CHECK(input_error_thrown);
    }
  }
}

TEST_CASE("YAML scalars are typed as the reference's PyYAML (YAML 1.1) and int() do", "[loader]") {
  // §2.1: name "Must be a YAML string". PyYAML (YAML 1.1) resolves on/off/yes/no in any case as bools
  // and 2025-01-01 as a date (rejected by pydantic's str), but keeps inf and 1e3 as strings.
  bundle b("yaml11");
  for (const char* not_a_string : {"on", "Off", "Yes", "2025-01-01"}) {
    DYNAMIC_SECTION("name: " << not_a_string << " is rejected") {
      b.replace("name: Test Bundle", std::string("name: ") + not_a_string);
      const fs::path y = b.write();
      bool rejected = false;
      try {
        (void)load_scenario_with_warnings(y);
      } catch (const fhops::input_error& e) {
        rejected = e.column() == "name";
      }
      CHECK(rejected);
    }
  }
  SECTION("num_days: \"2.7\" (a string) fails Python int(), unlike the float 2.7") {
    b.replace("num_days: 3", "num_days: \"2.7\"");
    const fs::path y = b.write();
    bool rejected = false;
    try {
      (void)load_scenario_with_warnings(y);
    } catch (const fhops::input_error& e) {
      rejected = e.column() == "num_days";
    }
    CHECK(rejected);
  }
  SECTION("num_days: \"3\" (a string) is int(\"3\") = 3") {
    b.replace("num_days: 3", "num_days: \"3\"");
    CHECK(load_scenario(b.write()).num_days == 3);
  }
  for (const char* a_string : {"inf", "1e3"}) {
    DYNAMIC_SECTION("name: " << a_string << " is accepted") {
      b.replace("name: Test Bundle", std::string("name: ") + a_string);
      std::string name;
      try {
        name = load_scenario(b.write()).name;
      } catch (const fhops::input_error& e) {
        FAIL_CHECK(e.what());
      }
      CHECK(name == a_string);
    }
  }
}

TEST_CASE("an inline road without the optional soil_profile_ids loads", "[loader]") {
  // §2.13: soil_profile_ids is optional (the CSV reader treats it so). The inline reader calls
  // IsSequence() on the absent key, and yaml-cpp throws YAML::InvalidNode.
  bundle b("roadnosoil");
  b.append("road_construction:\n  - {id: R1, machine_slug: grader, road_length_m: 30}\n");
  const fs::path y = b.write();
  std::vector<road_job> roads;
  try {
    roads = load_scenario(y).road_construction;
  } catch (const std::exception& e) {
    FAIL_CHECK(e.what());
  }
  REQUIRE(roads.size() == 1);
  CHECK(roads[0].soil_profile_ids.empty());
  CHECK(roads[0].include_mobilisation);
}

// -------------------------------------------------------------------------------------------------
// Hostile and degenerate input (issue 24).

namespace {

/// The default bundle with `text` appended to its scenario.yaml is rejected at `row`, `key`, `rule`.
void check_appended_rejected(const std::string& tag, const std::string& text, std::size_t row, const std::string& key,
                             const std::string& rule) {
  bundle b(tag);
  b.append(text);
  const fs::path y = b.write();
  CHECK_REJECTED(y, y, row, key, rule);
}

}  // namespace

TEST_CASE("only regular files are read: a FIFO or a device as a bundle file is refused at once", "[loader][input]") {
  SECTION("a FIFO as a data file") {
    bundle b("fifo_data");
    b.drop("blocks.csv");
    const fs::path y = b.write();
    fhops_test::make_fifo(b.path("blocks.csv"));
    const fhops::input_error e = fhops_test::without_hang(b.path("blocks.csv"), [&] { return load_error(y); });
    CHECK(same_file(e.path(), b.path("blocks.csv")));
    CHECK_THAT(std::string(e.what()), Contains("is not a regular file (a FIFO, device or socket)"));
  }
  SECTION("a FIFO as scenario.yaml") {
    const fs::path dir = fhops_test::scratch("loader_fifo_yaml");
    fhops_test::make_fifo(dir / "scenario.yaml");
    const fhops::input_error e = fhops_test::without_hang(dir / "scenario.yaml", [&] { return load_error(dir); });
    CHECK(e.path() == (dir / "scenario.yaml").string());
    CHECK_THAT(std::string(e.what()), Contains("is not a regular file"));
  }
  SECTION("/dev/zero as a data file") {
    bundle b("devzero");
    b.replace("machines.csv", "/dev/zero");
    const fhops::input_error e = load_error(b.write());
    CHECK(e.path() == "/dev/zero");
    CHECK_THAT(std::string(e.what()), Contains("is not a regular file"));
  }
}

TEST_CASE("large integers are range-checked, never wrapped: day 4294967297 is not day 1", "[loader]") {
  bundle b("bigints");
  SECTION("a lock day") {
    check_appended_rejected("bigints_lock", "locked_assignments:\n  - {machine_id: M1, block_id: B1, day: 4294967297}\n", 10,
                            "locked_assignments[0].day", "lock day 4294967297 is outside 1..3");
  }
  SECTION("a blackout beyond the int range covers no day of the horizon, as in the reference") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8}\n  blackouts:\n"
             "    - {start_day: 4294967297, end_day: 4294967298}\n    - {start_day: -4294967296, end_day: 1}\n");
    const scenario sc = load_scenario(b.write());
    const problem pb(sc);
    for (int m = 0; m < pb.num_machines; ++m)
      for (int t = 0; t < pb.num_slots; ++t) CHECK(pb.blacked_out[pb.ms(m, t)] == (pb.slot_day[t] == 1 ? 1 : 0));
  }
  SECTION("an inline shift-calendar day and availability") {
    check_appended_rejected("bigints_day", "shift_calendar:\n  - {machine_id: M1, day: 4294967297, shift_id: S1}\n", 10,
                            "shift_calendar[0].day", "'4294967297' is out of range");
    check_appended_rejected("bigints_available", "shift_calendar:\n  - {machine_id: M1, day: 1, shift_id: S1, available: 4294967297}\n",
                            10, "shift_calendar[0].available", "ShiftCalendarEntry.available must be 0 or 1");
  }
  SECTION("shifts_per_day and days_per_week (never used) accept any positive integer") {
    b.append("timeline:\n  shifts:\n    - {name: day, hours: 8, shifts_per_day: 4294967296}\n  days_per_week: 4294967296\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.timeline->shifts[0].shifts_per_day == 2147483647);
    CHECK(sc.timeline->days_per_week == 2147483647);
  }
  SECTION("integers beyond 9e15 are out of range") {
    b.replace("num_days: 3", "num_days: 100000000000000000000");
    const fs::path y = b.write();
    CHECK_REJECTED(y, y, 2, "num_days", "'100000000000000000000' is out of range");
  }
  SECTION("a CSV day beyond the int range") {
    b.set("calendar.csv", "machine_id,day,available\nM1,4294967297,1\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("calendar.csv"), 2, "day", "'4294967297' is out of range");
  }
}

TEST_CASE("a repeated YAML key keeps its last value, as the reference's PyYAML does", "[loader]") {
  bundle b("dupkeys");
  SECTION("a weight") {
    b.append("objective_weights:\n  mobilisation: 0.5\n  mobilisation: 5.0\n");
    CHECK(load_scenario(b.write()).weights.mobilisation == 5.0);
  }
  SECTION("a whole section") {
    b.append("objective_weights: {production: 2}\nobjective_weights: {mobilisation: 3}\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.weights.production == 1.0);
    CHECK(sc.weights.mobilisation == 3.0);
  }
  SECTION("a data file and a list entry's key") {
    b.replace("  blocks: blocks.csv\n", "  blocks: nope.csv\n  blocks: blocks.csv\n");
    b.append("locked_assignments:\n  - {machine_id: M1, block_id: B1, day: 1, day: 2}\n");
    const scenario sc = load_scenario(b.write());
    CHECK(sc.locked_assignments.at(0).day == 2);
  }
}

TEST_CASE("non-finite and huge numbers are rejected naming the file and field", "[loader]") {
  bundle b("nonfinite");
  SECTION("weights") {
    check_appended_rejected("nonfinite_inf", "objective_weights:\n  production: .inf\n", 10, "objective_weights.production",
                            "'.inf' is not finite (numbers in a scenario must be finite with |x| <= 1e12)");
    check_appended_rejected("nonfinite_huge", "objective_weights:\n  mobilisation: 1e308\n", 10, "objective_weights.mobilisation",
                            "'1e308' is out of range");
  }
  SECTION("mobilisation costs; walk thresholds may be .inf") {
    b.append("mobilisation:\n  default_walk_threshold_m: .inf\n  machine_params:\n"
             "    - {machine_id: M1, walk_cost_per_meter: 0.5, move_cost_flat: 60, walk_threshold_m: .inf}\n");
    const scenario sc = load_scenario(b.write());
    CHECK(std::isinf(sc.mobilisation->machine_params[0].walk_threshold_m));
    CHECK(std::isinf(sc.mobilisation->default_walk_threshold_m));
    check_appended_rejected("nonfinite_flat", "mobilisation:\n  machine_params:\n    - {machine_id: M1, walk_cost_per_meter: 0.5, move_cost_flat: .inf}\n",
                            11, "mobilisation.machine_params[0].move_cost_flat", "'.inf' is not finite");
  }
  SECTION("timeline hours") {
    check_appended_rejected("nonfinite_hours", "timeline:\n  shifts:\n    - {name: day, hours: -.inf}\n", 11, "timeline.shifts[0].hours",
                            "'-.inf' is not finite");
  }
  SECTION("CSV cells") {
    b.set("machines.csv", "id,role,daily_hours\nM1,harvester,inf\nM2,forwarder,8\n");
    const fs::path y = b.write();
    CHECK_REJECTED(y, b.path("machines.csv"), 2, "daily_hours", "'inf' is not finite");
    b.set("machines.csv", default_files()["machines.csv"]).set("prod_rates.csv", "machine_id,block_id,rate\nM1,B1,1e13\n");
    CHECK_REJECTED(b.write(), b.path("prod_rates.csv"), 2, "rate", "'1e13' is out of range");
  }
  SECTION("pandas NA tokens keep their meaning: missing") {
    b.set("blocks.csv", "id,landing_id,work_required,avg_stem_size_m3\nB1,L1,10,NaN\nB2,L2,5,N/A\n");
    CHECK(load_scenario(b.write()).blocks.size() == 2);
    b.set("prod_rates.csv", "machine_id,block_id,rate\nM1,B1,NaN\n");
    CHECK_REJECTED(b.write(), b.path("prod_rates.csv"), 2, "rate", "value is missing (blank or NA)");
  }
}

TEST_CASE("error messages are one line, quote short excerpts and never echo another file's first line", "[loader]") {
  bundle b("messages");
  SECTION("a file that is not a CSV table (/etc/passwd-like, /proc/self/environ)") {
    b.set("landings.csv", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:\n");
    const fhops::input_error e = load_error(b.write());
    CHECK(std::string(e.what()) == b.path("landings.csv").string() +
                                       ":1: column 'id': required column is missing (the file's first line is not a CSV header of this table)");
    bundle c("messages_environ");
    c.replace("landings.csv", "/proc/self/environ");
    const std::string what = load_error(c.write()).what();
    CHECK_THAT(what, Contains("/proc/self/environ:1: column 'id': required column is missing (the file's first line"));
    if (const char* path = std::getenv("PATH")) CHECK(what.find(path) == std::string::npos);
  }
  SECTION("a huge cell and a cell with a line break") {
    b.set("blocks.csv", "id,landing_id,work_required\nB1,L1," + std::string(10'000'000, '7') + "x\nB2,L2,5\n");
    const std::string what = load_error(b.write()).what();
    CHECK(what.size() < 400);
    CHECK_THAT(what, Contains(":2: column 'work_required': '7777777777777777777777777777777777777777... (10000001 bytes)' is not a number"));
    b.set("blocks.csv", "id,landing_id,work_required\n\"B\n1\",L9,10\nB2,L2,5\n");
    const fhops::input_error e = load_error(b.write());
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
    CHECK_THAT(std::string(e.what()), Contains("Block B\\n1 references unknown landing_id=L9"));
  }
  SECTION("a key that is a list is an input_error naming the file, not a bare yaml-cpp error") {
    check_appended_rejected("messages_weight_key", "objective_weights:\n  production: 1\n  ? [x, y]\n  : 2\n", 11, "objective_weights",
                            "a mapping key must be a plain value");
    check_appended_rejected("messages_key", "? [a, b]\n: 1\n", 9, "", "a mapping key must be a plain value");
  }
}

TEST_CASE("a scenario too large for memory is refused before allocating, naming the sizes", "[loader][problem]") {
  bundle b("toolarge");
  std::string blocks = "id,landing_id,work_required\n";
  for (int i = 0; i < 40000; ++i) blocks += "B" + std::to_string(i) + ",L1,1\n";
  b.set("blocks.csv", blocks).set("prod_rates.csv", "machine_id,block_id,rate\nM1,B1,1\n");
  const fs::path y = b.write();
  const scenario sc = load_scenario(y);
  try {
    const problem pb(sc);
    FAIL("a 40000-block problem was built");
  } catch (const fhops::input_error& e) {
    CHECK(same_file(e.path(), y));
    CHECK_THAT(std::string(e.what()), Contains("scenario too large: 40000 blocks need a 40000 x 40000 distance matrix of 11.9 GiB; "
                                              "the problem would take 11.9 GiB, over the 8 GiB limit"));
  }
  CHECK(estimate_problem_memory(load_scenario(bundle("small").write())).total() < 1000);
}
