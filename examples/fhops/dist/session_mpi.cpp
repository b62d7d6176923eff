// The session with MPI (FHOPS_WITH_MPI on): on the MPI ranks under an MPI launcher, else in this
// process (fhops::dist::open_session).
#include "../dist_wiring.hpp"
#include "fhops/dist/mpi.hpp"

namespace fhops_cli {

std::unique_ptr<fhops::dist::session> open_dist_session(std::size_t threads) { return fhops::dist::open_session(threads); }

}  // namespace fhops_cli
