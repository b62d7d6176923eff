// Exact weighted set packing over subsets (search/exact/set_packing.hpp), checked against enumeration.
#include "../../test_support.hpp"

#include <vector>

#include "fhops/search/exact/set_packing.hpp"
#include "fhops/util/rng.hpp"

using fhops::search::packing_option;

namespace {

// Best packing by enumerating every choice of one option (or none) per group.
double enumerate(int items, const std::vector<std::vector<packing_option>>& groups, int forced_group = -1, int forced = -1) {
  double best = -1e300;
  std::vector<int> pick(groups.size(), -1);
  for (;;) {
    std::uint32_t used = 0;
    double value = 0.0;
    bool ok = forced_group < 0 || pick[forced_group] == forced;
    for (std::size_t g = 0; g < groups.size() && ok; ++g) {
      if (pick[g] < 0) continue;
      const auto& o = groups[g][pick[g]];
      ok = (o.items & used) == 0;
      used |= o.items;
      value += o.value;
    }
    if (ok) best = std::max(best, value);
    std::size_t g = 0;
    while (g < groups.size() && ++pick[g] == static_cast<int>(groups[g].size())) pick[g++] = -1;
    if (g == groups.size()) break;
  }
  (void)items;
  return best;
}

}  // namespace

TEST_CASE("best_packing and completion_values match enumeration", "[set_packing]") {
  fhops::rng r(5);
  for (int trial = 0; trial < 30; ++trial) {
    const int items = 2 + static_cast<int>(r.below(5));
    std::vector<std::vector<packing_option>> groups(1 + r.below(4));
    for (auto& g : groups) {
      const std::size_t n = r.below(5);
      for (std::size_t i = 0; i < n; ++i)
        g.push_back({static_cast<std::uint32_t>(1 + r.below((1u << items) - 1)), static_cast<double>(r.below(21)) - 5.0});
    }
    INFO("trial " << trial);
    const auto best = fhops::search::best_packing(items, groups);
    CHECK(best.value == enumerate(items, groups));
    std::uint32_t used = 0;
    double sum = 0.0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (best.choice[g] < 0) continue;
      const auto& o = groups[g][best.choice[g]];
      CHECK((o.items & used) == 0);
      used |= o.items;
      sum += o.value;
    }
    CHECK(sum == best.value);
    const auto reach = fhops::search::completion_values(items, groups);
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (std::size_t o = 0; o < groups[g].size(); ++o) CHECK(reach[g][o] == enumerate(items, groups, static_cast<int>(g), static_cast<int>(o)));
  }
}

TEST_CASE("set packing refuses too many items and options outside them", "[set_packing]") {
  const std::vector<std::vector<packing_option>> groups{{{0b100, 1.0}}};
  CHECK_THROWS_WITH(fhops::search::best_packing(25, groups), Catch::Contains("set_packing.items"));
  CHECK_THROWS_WITH(fhops::search::best_packing(2, groups), Catch::Contains("item >= items"));
  CHECK(fhops::search::best_packing(3, groups).value == 1.0);
}
