// The MPI test binary: MPI is initialised when an MPI launcher started it (the [mpi] cases run
// under mpirun, every rank runs the same cases in the same order); the [driver] cases run plain and
// launch mpirun themselves. Catch2's implementation is tests/catch_impl.cpp (shared with fhops_tests).
#include "../catch_runner.hpp"

#include <cstdlib>
#include <optional>

#include <boost/mpi/environment.hpp>

int main(int argc, char** argv) {
  std::optional<boost::mpi::environment> env;
  if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK")) env.emplace(argc, argv, false);
  return fhops_test::run_catch_session(argc, argv);
}
