// The MPI layer's cost per work unit (bench/RESULTS.md "Scale-out (MPI)"): empty units (the work
// returns a 16-byte result at once) through the local executor and through the MPI executor. Run
// plain for the local figure, under mpirun for the MPI one:
//   build/bench/dist_bench [UNITS]
//   mpirun --oversubscribe --allow-run-as-root -np 4 build/bench/dist_bench [UNITS]
// Prints, on rank 0: executor, ranks, units, wall µs per unit, CPU µs per unit of rank 0.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>

#include "fhops/dist/executor.hpp"
#include "fhops/dist/mpi.hpp"

namespace {

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

template <class Executor>
void measure(Executor& e, const char* name, int ranks, std::size_t units) {
  std::vector<std::size_t> ids(units);
  for (std::size_t i = 0; i < units; ++i) ids[i] = i;
  std::size_t results = 0;
  const auto work = [](const fhops::dist::job& j) { return std::string(16, static_cast<char>('a' + j.unit % 26)); };
  e.run(fhops::dist::units_of(ids), work, [&](const fhops::dist::unit_result&) { ++results; });  // warm-up
  results = 0;
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  e.run(fhops::dist::units_of(ids), work, [&](const fhops::dist::unit_result&) { ++results; });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - c0;
  if (e.coordinator())
    std::printf("%s ranks=%d units=%zu wall_us_per_unit=%.2f rank0_cpu_us_per_unit=%.2f results=%zu\n", name, ranks, units,
                1e6 * wall / static_cast<double>(units), 1e6 * cpu / static_cast<double>(units), results);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t units = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
  if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMI_SIZE")) {
    fhops::dist::local_executor one(1);
    measure(one, "local(1 thread)", 1, units);
    fhops::dist::local_executor two(2);
    measure(two, "local(2 threads)", 1, units);
    return 0;
  }
  boost::mpi::environment env(argc, argv);
  fhops::dist::mpi_executor e{boost::mpi::communicator()};
  measure(e, "mpi", e.size(), units);
  return 0;
}
