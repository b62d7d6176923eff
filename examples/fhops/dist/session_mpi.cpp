// dist_session over Boost.MPI (built when FHOPS_WITH_MPI is on): MPI is initialised when the
// session opens under an MPI launcher and finalised when it closes.
#include <optional>
#include <stdexcept>

#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/mpi/environment.hpp>

#include "../dist_wiring.hpp"
#include "fhops/dist/mpi.hpp"

namespace fhops_cli {

struct dist_session::impl {
  std::optional<boost::mpi::environment> env;  // declared first: finalised after the executor goes
  std::optional<fhops::dist::mpi_executor> mpi;
  std::optional<fhops::dist::local_executor> local;
};

dist_session::dist_session(std::size_t threads) : p_(std::make_unique<impl>()) {
  if (!launched_by_mpi()) {
    p_->local.emplace(threads);
    return;
  }
  if (boost::mpi::environment::finalized())
    throw std::runtime_error("MPI was already finalised in this process: one distributed command per process");
  if (!boost::mpi::environment::initialized()) p_->env.emplace(/*abort_on_exception=*/false);
  p_->mpi.emplace(boost::mpi::communicator());
}

dist_session::dist_session(dist_session&&) noexcept = default;
dist_session& dist_session::operator=(dist_session&&) noexcept = default;
dist_session::~dist_session() = default;

bool dist_session::distributed() const { return p_->mpi.has_value(); }
bool dist_session::coordinator() const { return !p_->mpi || p_->mpi->coordinator(); }
int dist_session::ranks() const { return p_->mpi ? p_->mpi->size() : 1; }

void dist_session::run(const fhops::dist::next_fn& next, const fhops::dist::work_fn& work, const fhops::dist::result_fn& on_result) {
  if (p_->mpi) p_->mpi->run(next, work, on_result);
  else p_->local->run(next, work, on_result);
}

void dist_session::barrier() {
  if (p_->mpi) p_->mpi->communicator().barrier();
}

bool dist_session::agree(bool value) {
  if (p_->mpi) boost::mpi::broadcast(p_->mpi->communicator(), value, 0);
  return value;
}

}  // namespace fhops_cli
