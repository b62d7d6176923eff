// The session without MPI (FHOPS_WITH_MPI off): units run in this process; under an MPI launcher
// the driver refuses, since every rank would run every unit.
#include <stdexcept>

#include "../dist_wiring.hpp"

namespace fhops_cli {

std::unique_ptr<fhops::dist::session> open_dist_session(std::size_t threads) {
  if (fhops::dist::launched_by_mpi())
    throw std::runtime_error("this fhops was built without MPI (FHOPS_WITH_MPI=OFF): run it without mpirun, or rebuild with libboost-mpi-dev");
  return std::make_unique<fhops::dist::local_session>(threads);
}

}  // namespace fhops_cli
