// Built when the installed fhops has the `dist` component (the MPI layer): the MPI executor
// compiles and links against fhops::dist alone.
#include <boost/mpi/environment.hpp>

#include "fhops/dist/mpi.hpp"

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv);
  fhops::dist::mpi_executor e{boost::mpi::communicator()};
  return e.coordinator() ? 0 : 1;
}
