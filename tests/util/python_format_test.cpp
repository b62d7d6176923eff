// Python-compatible number and string spelling (util/python_format.hpp, util/json_text.hpp): the
// values below are what CPython 3 prints for repr(x), round(x, n) and json.dumps(s).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "fhops/util/json_text.hpp"
#include "fhops/util/python_format.hpp"

TEST_CASE("python_float_repr spells floats as Python's repr does", "[python_format]") {
  using fhops::python_float_repr;
  CHECK(python_float_repr(0.0) == "0.0");
  CHECK(python_float_repr(-0.0) == "-0.0");
  CHECK(python_float_repr(0.1) == "0.1");
  CHECK(python_float_repr(0.1 + 0.2) == "0.30000000000000004");
  CHECK(python_float_repr(100.0) == "100.0");
  CHECK(python_float_repr(-1313.187) == "-1313.187");
  CHECK(python_float_repr(0.0001) == "0.0001");  // fixed down to 1e-4
  CHECK(python_float_repr(0.00001) == "1e-05");  // exponent form below, two exponent digits
  CHECK(python_float_repr(0.000123) == "0.000123");
  CHECK(python_float_repr(0.0000123) == "1.23e-05");
  CHECK(python_float_repr(9999999999999998.0) == "9999999999999998.0");  // fixed below 1e16
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(123456789012345680.0) == "1.2345678901234568e+17");
  CHECK(python_float_repr(1e100) == "1e+100");
  CHECK(python_float_repr(5e-324) == "5e-324");
  CHECK(python_float_repr(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
  CHECK(python_float_repr(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(python_float_repr(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(python_float_repr(std::nan("")) == "nan");
  CHECK(fhops::python_json_float(std::nan("")) == "NaN");
  CHECK(fhops::python_json_float(-std::numeric_limits<double>::infinity()) == "-Infinity");
}

TEST_CASE("python_round rounds half to even on the exact binary value, as round(x, n) does", "[python_format]") {
  using fhops::python_round;
  CHECK(python_round(0.5, 0) == 0.0);
  CHECK(python_round(1.5, 0) == 2.0);
  CHECK(python_round(2.5, 0) == 2.0);
  CHECK(python_round(2.675, 2) == 2.67);  // 2.675 is 2.67499999... in binary
  CHECK(python_round(-1313.18749, 3) == -1313.187);
  CHECK(python_round(1e300, 2) == 1e300);
  CHECK(std::isinf(python_round(std::numeric_limits<double>::infinity(), 3)));
  CHECK_THROWS_AS(python_round(1.0, -1), std::invalid_argument);
}

TEST_CASE("json_quote escapes as json.dumps does", "[python_format]") {
  CHECK(fhops::json_quote("a\"b\\c\n\t") == "\"a\\\"b\\\\c\\n\\t\"");
  CHECK(fhops::json_quote("\x01\x1f") == "\"\\u0001\\u001f\"");
  CHECK(fhops::json_quote("\xc3\xa9\xf0\x9f\x98\x80") == "\"\\u00e9\\ud83d\\ude00\"");  // é and U+1F600 as a surrogate pair
  CHECK(fhops::json_quote("\xc3\xa9", /*ensure_ascii=*/false) == "\"\xc3\xa9\"");
}
