// fhops::dist executors: every unit exactly once, results to the coordinator only, lost units,
// streams whose next job depends on the results so far. The [mpi] cases run under mpirun (ctest
// dist_executor, np 4); every rank runs them, rank 0 asserts.
#include "../test_support.hpp"

#include <algorithm>
#include <functional>
#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/mpi/collectives/all_reduce.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>

#include "fhops/dist/executor.hpp"
#include "fhops/dist/mpi.hpp"
#include "fhops/dist/session.hpp"
#include "fhops/util/threads.hpp"

namespace {

namespace fd = fhops::dist;

// Unit i's result: its square as text; unit 5 throws.
std::string square_or_throw(const fd::job& j) {
  if (j.unit == 5) throw std::runtime_error("unit 5 fails");
  return std::to_string(j.unit * j.unit) + j.payload;
}

template <class Executor>
void check_static_plan(Executor& e, std::size_t n) {
  std::vector<std::size_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = i;
  std::vector<fd::unit_result> got;
  e.run(fd::units_of(ids), square_or_throw, [&](const fd::unit_result& r) { got.push_back(r); });
  if (!e.coordinator()) {
    CHECK(got.empty());  // results reach the coordinator only
    return;
  }
  REQUIRE(got.size() == n);
  std::sort(got.begin(), got.end(), [](const auto& a, const auto& b) { return a.unit < b.unit; });
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(got[i].unit == i);
    if (i == 5) {
      CHECK_FALSE(got[i].ok());
      CHECK(*got[i].error == "unit 5 fails");
    } else {
      CHECK(got[i].ok());
      CHECK(got[i].result == std::to_string(i * i));
    }
  }
}

// A stream: the next job's payload carries the sum of the results so far, so the coordinator's
// state must be updated by on_result before next() runs again for the same worker.
template <class Executor>
std::vector<long long> stream_sums(Executor& e, std::size_t n) {
  std::size_t asked = 0;
  long long sum = 0;
  std::vector<long long> payloads;
  e.run(
      [&]() -> std::optional<fd::job> {
        if (asked == n) return std::nullopt;
        payloads.push_back(sum);
        return fd::job{asked++, std::to_string(sum)};
      },
      [](const fd::job& j) { return std::to_string(std::stoll(j.payload) + 1); },
      [&](const fd::unit_result& r) { sum += std::stoll(r.result); });
  return payloads;
}

}  // namespace

TEST_CASE("local_executor runs every unit once and reports lost units", "[dist][local]") {
  for (std::size_t threads : {1, 3}) {
    fd::local_executor e(threads);
    check_static_plan(e, 20);
  }
  CHECK_THROWS_WITH(fd::local_executor(0), Catch::Contains("threads"));
}

TEST_CASE("local_executor starts at most pool_threads(threads) threads, whatever it is asked (issue 24)", "[dist][local]") {
  CHECK(fd::local_executor(1'000'000).workers() == fhops::max_pool_threads());
  fd::local_executor e(256);  // started threads are counted below (256: harmless where nothing caps them)
  CHECK(e.workers() == std::min<std::size_t>(256, fhops::max_pool_threads()));
  const long long before = fhops_test::process_threads();
  std::atomic<long long> most{0};
  std::vector<std::size_t> ids(2 * fhops::max_pool_threads());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i;
  e.run(fd::units_of(ids), [&](const fd::job&) {
    const long long now = fhops_test::process_threads();
    for (long long m = most; now > m && !most.compare_exchange_weak(m, now);) {
    }
    return std::string();
  }, [](const fd::unit_result&) {});
  if (before < 0) return;  // no /proc: the count above is all there is
  CHECK(most <= before + static_cast<long long>(e.workers()));
}

TEST_CASE("local_executor with one thread is strictly sequential", "[dist][local]") {
  fd::local_executor e(1);
  // payload k = sum of (previous payload + 1): 0, 1, 3, 7, 15
  CHECK(stream_sums(e, 5) == std::vector<long long>{0, 1, 3, 7, 15});
}

TEST_CASE("mpi_executor: every unit once, results on rank 0 only", "[dist][mpi]") {
  boost::mpi::communicator world;
  fd::mpi_executor e(world);
  CHECK(e.coordinator() == (world.rank() == 0));
  CHECK(e.workers() == (world.size() > 1 ? static_cast<std::size_t>(world.size() - 1) : 1));
  check_static_plan(e, 37);
  check_static_plan(e, 0);  // an empty plan releases the workers
  check_static_plan(e, 2);  // fewer units than workers
}

TEST_CASE("mpi_executor: a stream sees every result before the next job of a free worker", "[dist][mpi]") {
  boost::mpi::communicator world;
  fd::mpi_executor e(world);
  const auto payloads = stream_sums(e, 12);
  if (!e.coordinator()) return;
  REQUIRE(payloads.size() == 12);
  // With one worker (np <= 2) the stream is sequential: the same as the local executor's.
  if (world.size() <= 2) CHECK(payloads == std::vector<long long>{0, 1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047});
}

TEST_CASE("mpi_executor: an exception in on_result releases the workers and reaches the caller", "[dist][mpi]") {
  boost::mpi::communicator world;
  fd::mpi_executor e(world);
  std::vector<std::size_t> ids(10);
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i;
  const auto run = [&] {
    e.run(fd::units_of(ids), square_or_throw, [](const fd::unit_result& r) {
      if (r.unit == 3) throw std::runtime_error("writer failed");
    });
  };
  if (e.coordinator()) CHECK_THROWS_WITH(run(), "writer failed");
  else run();
  check_static_plan(e, 8);  // the executor is usable afterwards
}

TEST_CASE("open_session under mpirun: an mpi_session over the world (MPI already initialised here); agree and barrier", "[dist][mpi]") {
  boost::mpi::communicator world;
  REQUIRE(fd::launched_by_mpi());
  const auto s = fd::open_session(3);  // threads matter only locally
  CHECK(s->distributed());
  CHECK(s->ranks() == world.size());
  CHECK(s->coordinator() == (world.rank() == 0));
  std::size_t hooked = 0;
  s->unit_hook = [&](std::size_t) { ++hooked; };
  std::vector<std::size_t> ids(9);
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i;
  std::size_t results = 0;
  s->run(fd::units_of(ids),
         [&](const fd::job& j) {
           s->before_unit(j.unit);
           return std::to_string(j.unit);
         },
         [&](const fd::unit_result&) { ++results; });
  CHECK(results == (s->coordinator() ? ids.size() : 0));
  CHECK(boost::mpi::all_reduce(world, hooked, std::plus<std::size_t>()) == ids.size());  // each unit's hook ran once, wherever it ran
  s->barrier();
  CHECK(s->agree(world.rank() == 0));  // rank 0's value everywhere
  CHECK_FALSE(s->agree(world.rank() != 0));
}
