// Reading and writing the reference's assignments CSV (heuristics.md §8.2).
#include "../test_support.hpp"

#include "fhops/harvest/harvest.hpp"

using namespace fhops::harvest;

namespace {

problem demo_problem() { return problem(load_scenario(fhops_test::source_dir() / "examples/scenarios/demo/scenario.yaml")); }

fhops::input_error parse_error(const problem& pb, const std::string& text) {
  try {
    parse_assignments_csv(pb, text, "plan.csv");
  } catch (const fhops::input_error& e) {
    return e;
  }
  FAIL("no input_error for:\n" << text);
  throw;
}

}  // namespace

TEST_CASE("the CSV is sorted by day, shift_id, machine_id, block_id with assigned=1", "[assignments]") {
  const problem pb = demo_problem();
  schedule s(pb);
  const int night1 = pb.slot_index(1, "night"), day1 = pb.slot_index(1, "day"), day2 = pb.slot_index(2, "day");
  s.at(pb.machine_index("S1"), day2) = pb.block_index("B02");
  s.at(pb.machine_index("K1"), night1) = pb.block_index("B03");
  s.at(pb.machine_index("F2"), day1) = pb.block_index("B08");
  s.at(pb.machine_index("F1"), day1) = pb.block_index("B01");
  CHECK(assignments_csv_text(pb, s) ==
        "machine_id,block_id,day,shift_id,assigned\n"
        "F1,B01,1,day,1\n"
        "F2,B08,1,day,1\n"
        "K1,B03,1,night,1\n"
        "S1,B02,2,day,1\n");
  SECTION("and reads back to the same schedule") {
    CHECK(parse_assignments_csv(pb, assignments_csv_text(pb, s), "x.csv") == s);
  }
}

TEST_CASE("the greedy seed round-trips through the CSV", "[assignments][greedy]") {
  const problem pb = demo_problem();
  const schedule g = greedy_schedule(pb);
  REQUIRE(g.assigned_count() > 0);
  CHECK(parse_assignments_csv(pb, assignments_csv_text(pb, g), "g.csv") == g);
}

TEST_CASE("reading accepts the MIP format and skips unassigned rows", "[assignments]") {
  const problem pb = demo_problem();
  const schedule s = parse_assignments_csv(pb,
                                           "machine_id,block_id,day,shift_id,assigned,production\n"
                                           "F1,B01,1,day,1,3.2\n"
                                           "F2,B02,2,night,0,0.0\n",
                                           "mip.csv");
  CHECK(s.assigned_count() == 1);
  CHECK(s.at(pb.machine_index("F1"), pb.slot_index(1, "day")) == pb.block_index("B01"));
}

TEST_CASE("bad assignment rows are reported with their line number", "[assignments]") {
  const problem pb = demo_problem();
  const std::string header = "machine_id,block_id,day,shift_id,assigned\n";
  SECTION("unknown machine") {
    const auto e = parse_error(pb, header + "F1,B01,1,day,1\nX9,B01,1,day,1\n");
    CHECK(e.row() == 3);
    CHECK(e.column() == "machine_id");
    CHECK_THAT(e.what(), Catch::Contains("unknown machine_id 'X9'"));
  }
  SECTION("unknown block") {
    const auto e = parse_error(pb, header + "F1,B99,1,day,1\n");
    CHECK(e.row() == 2);
    CHECK(e.column() == "block_id");
  }
  SECTION("day outside the horizon") {
    const auto e = parse_error(pb, header + "F1,B01,11,day,1\n");
    CHECK(e.column() == "day");
    CHECK_THAT(e.what(), Catch::Contains("outside the horizon 1..10"));
  }
  SECTION("a shift that is not a slot") {
    const auto e = parse_error(pb, header + "F1,B01,1,S1,1\n");
    CHECK(e.column() == "shift_id");
    CHECK_THAT(e.what(), Catch::Contains("is not a shift slot"));
  }
  SECTION("duplicate machine-slot") {
    const auto e = parse_error(pb, header + "F1,B01,1,day,1\nF1,B02,1,day,1\n");
    CHECK(e.row() == 3);
    CHECK_THAT(e.what(), Catch::Contains("already assigned in this slot (row 2)"));
  }
  SECTION("missing column") {
    const auto e = parse_error(pb, "machine_id,day,shift_id\nF1,1,day\n");
    CHECK(e.row() == 1);
    CHECK(e.column() == "block_id");
  }
  SECTION("non-numeric day") {
    const auto e = parse_error(pb, header + "F1,B01,one,day,1\n");
    CHECK(e.column() == "day");
    CHECK_THAT(e.what(), Catch::Contains("'one' is not an integer"));
  }
  SECTION("empty file") {
    const auto e = parse_error(pb, "");
    CHECK_THAT(e.what(), Catch::Contains("file is empty"));
  }
}

TEST_CASE("a missing assignments file names the path", "[assignments]") {
  const problem pb = demo_problem();
  CHECK_THROWS_WITH(read_assignments_csv(pb, "/nonexistent/plan.csv"), Catch::Contains("/nonexistent/plan.csv"));
}

TEST_CASE("a FIFO or a device as the assignments file is refused at once", "[assignments][input]") {
  const problem pb = demo_problem();
  const auto dir = fhops_test::scratch("assignments_fifo");
  const auto fifo = dir / "plan.csv";
  fhops_test::make_fifo(fifo);
  const std::string what = fhops_test::without_hang(fifo, [&] {
    try {
      (void)read_assignments_csv(pb, fifo);
    } catch (const fhops::input_error& e) {
      return std::string(e.what());
    }
    return std::string("no input_error");
  });
  CHECK(what == fifo.string() + ": is not a regular file (a FIFO, device or socket); only regular files are read");
  CHECK_THROWS_WITH(read_assignments_csv(pb, "/dev/zero"), Catch::Contains("/dev/zero: is not a regular file"));
}

TEST_CASE("assignment errors quote ids as short one-line excerpts", "[assignments]") {
  const problem pb = demo_problem();
  const auto e = parse_error(pb, "machine_id,block_id,day,shift_id,assigned\n\"X\n" + std::string(100000, 'y') + "\",B01,1,day,1\n");
  const std::string what = e.what();
  CHECK(what == "plan.csv:2: column 'machine_id': unknown machine_id 'X\\n" + std::string(37, 'y') + "... (100002 bytes)'");
  const auto big = parse_error(pb, "machine_id,block_id,day,shift_id,assigned\nF1,B01,4294967297,day,1\n");
  CHECK_THAT(big.what(), Catch::Contains("day 4294967297 is outside the horizon 1..10"));
}
