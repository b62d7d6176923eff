// dist_session without MPI (FHOPS_WITH_MPI off): units run in this process; under an MPI
// launcher the session refuses, since every rank would run every unit.
#include <stdexcept>

#include "../dist_wiring.hpp"

namespace fhops_cli {

struct dist_session::impl {
  fhops::dist::local_executor local;
};

dist_session::dist_session(std::size_t threads) {
  if (launched_by_mpi())
    throw std::runtime_error("this fhops was built without MPI (FHOPS_WITH_MPI=OFF): run it without mpirun, or rebuild with libboost-mpi-dev");
  p_ = std::make_unique<impl>(impl{fhops::dist::local_executor(threads)});
}

dist_session::dist_session(dist_session&&) noexcept = default;
dist_session& dist_session::operator=(dist_session&&) noexcept = default;
dist_session::~dist_session() = default;

bool dist_session::distributed() const { return false; }
bool dist_session::coordinator() const { return true; }
int dist_session::ranks() const { return 1; }

void dist_session::run(const fhops::dist::next_fn& next, const fhops::dist::work_fn& work, const fhops::dist::result_fn& on_result) {
  p_->local.run(next, work, on_result);
}

void dist_session::barrier() {}

bool dist_session::agree(bool value) { return value; }

}  // namespace fhops_cli
