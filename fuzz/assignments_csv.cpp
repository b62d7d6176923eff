// libFuzzer entry point: the assignments CSV reader against the demo scenario's problem. The input
// is the CSV text; it must read into a schedule that scores a finite objective, or be refused with
// fhops::input_error naming the file on one line.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <typeinfo>

#include "common.hpp"
#include "fhops/harvest/assignments_csv.hpp"
#include "fhops/harvest/evaluate.hpp"
#include "fhops/harvest/loader.hpp"
#include "fhops/harvest/problem.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fhops::harvest::problem pb(fhops::harvest::load_scenario(fhops_fuzz::demo() / "scenario.yaml"));
  try {
    const auto s = fhops::harvest::parse_assignments_csv(pb, std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv");
    const double score = fhops::harvest::evaluate(pb, s).score;
    if (!std::isfinite(score)) fhops_fuzz::finding("a read plan scores " + std::to_string(score));
  } catch (const fhops::input_error& e) {
    fhops_fuzz::check_refusal(e);
    if (e.path() != "fuzz.csv") fhops_fuzz::finding("input_error names another file: " + std::string(e.what()));
  } catch (const std::exception& e) {
    fhops_fuzz::finding(std::string(typeid(e).name()) + ": " + e.what());
  }
  return 0;
}
