// write_file_atomic and write_directory_atomic on special files: devices, FIFOs, symbolic links,
// planted temporary names; modes; nothing left behind.
#include "../test_support.hpp"

#include <filesystem>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include "fhops/util/atomic_file.hpp"

namespace {

namespace fs = std::filesystem;
using fhops_test::slurp;

bool is_char_device(const fs::path& p) {
  struct ::stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

std::size_t entries_in(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("write_file_atomic writes through /dev/full and /dev/null and never replaces them", "[util][atomic]") {
  CHECK_THROWS_WITH(fhops::write_file_atomic("/dev/full", "x\n"), "/dev/full: cannot write: No space left on device");
  CHECK(is_char_device("/dev/full"));
  CHECK_NOTHROW(fhops::write_file_atomic("/dev/null", "x\n"));
  CHECK(is_char_device("/dev/null"));
}

TEST_CASE("write_file_atomic: a FIFO without a reader is an error, not a wait, and stays a FIFO", "[util][atomic]") {
  const auto dir = fhops_test::scratch("atomic_fifo");
  const auto fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  CHECK_THROWS_WITH(fhops::write_file_atomic(fifo, "x\n"), fifo.string() + ": cannot write: no process is reading the FIFO");
  CHECK(fs::is_fifo(fs::symlink_status(fifo)));
  CHECK(entries_in(dir) == 1);
}

TEST_CASE("write_file_atomic: a symbolic link stays and its target is replaced, keeping its mode", "[util][atomic]") {
  const auto dir = fhops_test::scratch("atomic_link");
  fhops_test::write(dir / "real/plan.csv", "old\n");
  REQUIRE(::chmod((dir / "real/plan.csv").c_str(), 0600) == 0);
  fs::create_symlink("real/plan.csv", dir / "plan.csv");
  fhops::write_file_atomic(dir / "plan.csv", "new\n");
  CHECK(fs::is_symlink(dir / "plan.csv"));
  CHECK(fs::read_symlink(dir / "plan.csv") == "real/plan.csv");
  CHECK(slurp(dir / "real/plan.csv") == "new\n");
  CHECK(fhops_test::file_mode(dir / "real/plan.csv") == 0600);
  CHECK(entries_in(dir / "real") == 1);  // no temporary file left

  SECTION("a dangling link is refused and its target not created") {
    fs::create_symlink("missing/out.csv", dir / "dangling.csv");
    CHECK_THROWS_WITH(fhops::write_file_atomic(dir / "dangling.csv", "x\n"),
                      Catch::Contains("dangling.csv: cannot write: it is a dangling symbolic link (to missing/out.csv)"));
    CHECK(!fs::exists(dir / "missing"));
    CHECK(fs::is_symlink(dir / "dangling.csv"));
  }
}

TEST_CASE("write_file_atomic: a new file gets 0666 less the umask, a replaced one keeps its mode", "[util][atomic]") {
  const auto dir = fhops_test::scratch("atomic_mode");
  const ::mode_t old = ::umask(022);
  fhops::write_file_atomic(dir / "new.csv", "a\n");
  CHECK(fhops_test::file_mode(dir / "new.csv") == 0644);
  REQUIRE(::chmod((dir / "new.csv").c_str(), 0640) == 0);
  fhops::write_file_atomic(dir / "new.csv", "b\n");
  CHECK(fhops_test::file_mode(dir / "new.csv") == 0640);
  ::umask(old);
  CHECK(slurp(dir / "new.csv") == "b\n");
}

TEST_CASE("write_file_atomic: a file or link planted at the old temporary name cannot redirect the write", "[util][atomic]") {
  const auto dir = fhops_test::scratch("atomic_planted");
  fhops_test::write(dir / "victim.txt", "keep me\n");
  // the name the old code wrote first: <path>.tmp.<pid>
  fs::create_symlink(dir / "victim.txt", dir / ("out.csv.tmp." + std::to_string(::getpid())));
  fhops::write_file_atomic(dir / "out.csv", "plan\n");
  CHECK(slurp(dir / "victim.txt") == "keep me\n");
  CHECK(!fs::is_symlink(dir / "out.csv"));
  CHECK(slurp(dir / "out.csv") == "plan\n");
  CHECK(entries_in(dir) == 3);
}

TEST_CASE("write_file_atomic: a failed write leaves the old file and no temporary file", "[util][atomic]") {
  const auto dir = fhops_test::scratch("atomic_fail");
  fhops_test::write(dir / "out.csv", "old\n");
  CHECK_THROWS_WITH(fhops::write_file_atomic(dir, "x"), dir.string() + ": cannot write: is a directory");
  CHECK_THROWS_AS(fhops::write_file_atomic(dir / "out.csv/inner", "x"), fhops::output_error);
  CHECK(slurp(dir / "out.csv") == "old\n");
  CHECK(entries_in(dir) == 1);
}

TEST_CASE("write_directory_atomic: a link to a folder stays; file names must stay inside", "[util][atomic]") {
  const auto dir = fhops_test::scratch("atomic_dir");
  fhops::write_directory_atomic(dir / "real", {{"marker", "1"}}, false, "marker");
  fs::create_symlink("real", dir / "site");
  fhops::write_directory_atomic(dir / "site", {{"marker", "2"}, {"sub/page.html", "p"}}, true, "marker");
  CHECK(fs::is_symlink(dir / "site"));
  CHECK(slurp(dir / "real/marker") == "2");
  CHECK(slurp(dir / "real/sub/page.html") == "p");
  CHECK_THROWS_WITH(fhops::write_directory_atomic(dir / "evil", {{"../outside.txt", "x"}}, false, "marker"),
                    Catch::Contains("the file name ../outside.txt leaves the folder"));
  CHECK(!fs::exists(dir / "outside.txt"));
  CHECK(!fs::exists(dir / "evil"));
  CHECK(entries_in(dir) == 2);  // real, site: no temporary folders left
}

TEST_CASE("private_temp_folder: a fresh 0700 folder under an unguessable name, removed at the end", "[util][atomic]") {
  fs::path kept;
  {
    const fhops::private_temp_folder a("fhops_test_private_"), b("fhops_test_private_");
    CHECK(a.path() != b.path());
    CHECK(fs::is_directory(a.path()));
    CHECK(fhops_test::file_mode(a.path()) == 0700);
    fhops_test::write(a.path() / "x/y.txt", "z");
    kept = a.path();
  }
  CHECK(!fs::exists(kept));
}
