// A checkpointed run (a search_run with a checkpoint hook) over a space whose solutions a
// checkpoint cannot carry (a checkpointable_space adds save_solution and load_solution).
// expect: checkpointable_space
#include "common.hpp"

struct saving_space : probe::tsp::space {
  using probe::tsp::space::space;
#ifndef FHOPS_MISUSE
  void save_solution(fhops::search::checkpoint_writer& w, std::string_view name, const std::vector<int>& tour) const { w.put(name, tour); }
  std::vector<int> load_solution(fhops::search::checkpoint_reader& r, std::string_view name) const { return r.get<std::vector<int>>(name); }
#endif
};

// Checkpoints every iteration into nothing.
struct every_iteration {
  static constexpr bool enabled = true;
  bool due(long long, double) { return true; }
  bool stop() const { return false; }
  template <class Body>
  void write(Body&& body) {
    fhops::search::checkpoint_writer w;
    body(w);
  }
};

int main() { return static_cast<int>(probe::solve<probe::tsp::neighbourhood, saving_space, every_iteration>(fhops::search::tabu_search())); }
