// fhops/util/file_identity.hpp: same file by device and inode, containment, plain names, and the
// messages of io_paths::check.
#include "../test_support.hpp"

#include <filesystem>
#include <string>

#include "fhops/util/file_identity.hpp"

namespace {

namespace fs = std::filesystem;

}  // namespace

TEST_CASE("same_file compares devices and inodes: hard links, symbolic links, ./x", "[util][identity]") {
  const auto dir = fhops_test::scratch("identity");
  fhops_test::write(dir / "a.csv", "a\n");
  fhops_test::write(dir / "b.csv", "a\n");
  fs::create_hard_link(dir / "a.csv", dir / "hard.csv");
  fs::create_symlink("a.csv", dir / "soft.csv");
  fs::create_directories(dir / "sub");
  CHECK(fhops::same_file(dir / "a.csv", dir / "hard.csv"));
  CHECK(fhops::same_file(dir / "soft.csv", dir / "a.csv"));
  CHECK(fhops::same_file(dir / "./a.csv", dir / "sub/../a.csv"));
  CHECK_FALSE(fhops::same_file(dir / "a.csv", dir / "b.csv"));
  CHECK(fhops::same_file(dir / "new.csv", dir / "./new.csv"));  // neither exists yet: the same path
  CHECK_FALSE(fhops::same_file(dir / "a.csv", dir / "new.csv"));
  CHECK(fhops::is_within(dir / "sub/x", dir));
  CHECK(fhops::is_within(dir, dir / "."));
  CHECK_FALSE(fhops::is_within(dir.string() + "x", dir));
}

TEST_CASE("is_plain_name: names read from files become paths only when plain", "[util][identity]") {
  for (const char* ok : {"demo", "synth-small", "user-1", "a.b", "Med 42"}) CHECK(fhops::is_plain_name(ok));
  for (const char* bad : {"", ".", "..", "../x", "a/b", "/abs", "a\\b", ".hidden", "-rf", "a\nb"}) CHECK_FALSE(fhops::is_plain_name(bad));
}

TEST_CASE("io_paths names the clash: output = input, two outputs, an input inside an output folder", "[util][identity]") {
  const auto dir = fhops_test::scratch("identity_io");
  fhops_test::write(dir / "in.csv", "x\n");
  fs::create_hard_link(dir / "in.csv", dir / "link.csv");
  CHECK_THROWS_WITH(fhops::io_paths().input("the scenario file", dir / "in.csv").output("--out", dir / "link.csv").check(),
                    "--out " + (dir / "link.csv").string() + " is the same file as the scenario file " + (dir / "in.csv").string() +
                        " (an output may not overwrite an input)");
  CHECK_THROWS_WITH(fhops::io_paths().output("--out", dir / "x.csv").output("--telemetry-log", dir / "./x.csv").check(),
                    "--out " + (dir / "x.csv").string() + " and --telemetry-log " + (dir / "./x.csv").string() +
                        " are the same file (two outputs may not share a file)");
  CHECK_THROWS_AS(fhops::io_paths().input("--from", dir / "week").output_folder("--out", dir).check(), fhops::path_clash);
  CHECK_NOTHROW(fhops::io_paths().input("in", dir / "in.csv").output("--out", "/dev/null").output("--log", "/dev/null").check());
  CHECK_NOTHROW(fhops::io_paths().input("in", dir / "in.csv").output("--out", dir / "out.csv").output_folder("--site", dir / "site").check());
}
