// A choice option's check (util/choice.hpp): the value back when allowed, else one line naming the
// option, the allowed values in their order and the value given.
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fhops/util/choice.hpp"

TEST_CASE("one_of returns an allowed value and names option, choices and value otherwise", "[choice]") {
  const std::vector<std::string> formats{"text", "json"};
  const std::string json = "json";
  CHECK(&fhops::one_of("format", json, formats) == &json);
  const std::array<const char*, 3> cooling{"auto", "geometric", "budget"};
  CHECK(fhops::one_of("cooling", std::string("budget"), cooling) == "budget");
  try {
    fhops::one_of("cooling", std::string("linear"), cooling);
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "--cooling must be one of auto, geometric, budget (got 'linear')");
  }
  CHECK_THROWS_AS(fhops::one_of("format", std::string("JSON"), formats), std::invalid_argument);  // exact, case-sensitive
  CHECK_THROWS_AS(fhops::one_of("format", std::string(), std::vector<std::string>{}), std::invalid_argument);
}
