// libFuzzer entry point: the scenario loader. The input is a bundle: the texts of scenario.yaml and
// the demo's data files, in bundle_files order, separated by lines "=====" (scripts/fuzz seeds the
// corpus with the demo bundle). A loaded scenario must build a problem and score a finite greedy
// plan; a refused one must throw fhops::input_error naming a file on one line.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

#include "common.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/greedy.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/problem.hpp"

namespace {

constexpr const char* bundle_files[] = {"scenario.yaml",         "data/blocks.csv",           "data/machines.csv",
                                        "data/landings.csv",     "data/calendar.csv",         "data/prod_rates.csv",
                                        "data/crew_assignments.csv", "data/block_distances.csv"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto dir = fhops_fuzz::scratch() / "bundle";
  std::filesystem::remove_all(dir);
  std::size_t start = 0;
  for (const char* rel : bundle_files) {
    const auto sep = input.find("\n=====\n", start);
    const std::string_view text = start > input.size() ? std::string_view{} : input.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
    fhops_fuzz::write(dir / rel, text);
    start = sep == std::string_view::npos ? input.size() + 1 : sep + 7;
  }
  try {
    const fhops::harvest::scenario sc = fhops::harvest::load_scenario(dir / "scenario.yaml");
    const fhops::harvest::problem pb(sc);
    const double score = fhops::harvest::evaluate(pb, fhops::harvest::greedy_schedule(pb)).score;
    if (!std::isfinite(score)) fhops_fuzz::finding("a loaded scenario scores " + std::to_string(score));
  } catch (const fhops::input_error& e) {
    fhops_fuzz::check_refusal(e);
  } catch (const std::exception& e) {
    fhops_fuzz::finding(std::string(typeid(e).name()) + ": " + e.what());
  }
  return 0;
}
