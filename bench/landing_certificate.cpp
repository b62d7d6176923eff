// Benchmark of solution quality: how far a scenario's best plan can be from optimal. Runs the
// landing decomposition (decompose_landings, crews of at most MAX_CREW machines), then the column
// generation of landing_certificate.hpp with Debian's cbc (coinor-cbc) for the master relaxations
// and the crews' exact MIPs (crews of any size, over capacity too), and the check that moving a
// machine between landings never pays. When it does not, the certificate's bound covers every plan.
// Usage: landing_certificate SCENARIO [MAX_CREW] [CBC_SECONDS]   (defaults 3 and 0: no time limit)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "fhops/harvest/bounds/landing_certificate.hpp"
#include "fhops/harvest/bounds/landing_decomposition.hpp"
#include "fhops/harvest/harvest.hpp"

int main(int argc, char** argv) {
  namespace fh = fhops::harvest;
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: landing_certificate SCENARIO [MAX_CREW] [CBC_SECONDS]\n");
    return 2;
  }
  try {
    const fh::problem pb(fh::load_scenario(argv[1]));
    fh::landing_decomposition_parameters dp;
    dp.max_crew = argc > 2 ? std::atoi(argv[2]) : 3;
    fhops::search::cbc_solver cbc;
    cbc.seconds = argc > 3 ? std::atof(argv[3]) : 0.0;
    if (!cbc.available()) {
      std::fprintf(stderr, "landing_certificate: cbc not found (Debian package coinor-cbc)\n");
      return 1;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    const auto d = fh::decompose_landings(pb, dp);
    std::printf("%s: decomposition plan %.6f, bound over its form %.6f (crews of at most %d, within capacity), %.1f s\n",
                pb.name.c_str(), d.value, d.bound, dp.max_crew, since());
    std::fflush(stdout);
    const auto dir = std::filesystem::temp_directory_path() / ("fhops_landing_certificate_" + std::to_string(::getpid()));
    const auto c = fh::certify_landings(pb, d.crew_values, cbc, dir, {}, [&](const fh::landing_certificate_progress& e) {
      std::fprintf(stderr, "\rround %d, landing %d priced, bound %.6f, %.0f s   ", e.iteration + 1, e.landing + 1, e.bound, since());
    });
    std::fprintf(stderr, "\n");
    std::filesystem::remove_all(dir);
    std::printf("certificate: bound %.6f over every plan that keeps each machine on one landing (crews of any size), master %.6f, "
                "best packing of the columns %.6f (its plan scores %.6f), %d rounds, %zu columns, %s, %.1f s\n",
                c.bound, c.master, c.packing, c.plan_value, c.iterations, c.columns, c.converged ? "converged" : "NOT converged", since());
    const auto check = fh::landing_changes_never_pay(pb);
    double gap = c.bound - d.value;
    if (std::abs(gap) < 5e-7) gap = 0.0;  // print no "-0.000000"
    if (check.never_pays)
      std::printf("moving a machine between landings never pays here: no plan scores more than %.6f; the decomposition's plan is %.6f from it\n",
                  c.bound, gap);
    else
      std::printf("the bound covers only plans that keep each machine on one landing: %s\n", check.reason.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "landing_certificate: %s\n", e.what());
    return 1;
  }
  return 0;
}
