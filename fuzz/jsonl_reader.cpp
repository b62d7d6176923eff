// libFuzzer entry point: the telemetry JSONL reader and the JSON parser. The input is a log's text,
// written to a file and read back: bad lines are skipped with one-line warnings and nothing throws;
// parse_json throws only std::invalid_argument. Every value read is written back as JSON.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>

#include "common.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/json_value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto log = fhops_fuzz::scratch() / "runs.jsonl";
  fhops_fuzz::write(log, text);
  try {
    const auto st = fhops::telemetry::read_jsonl(log.string(), [](const fhops::telemetry::text_line&, fhops::telemetry::json&& v) {
      (void)fhops::telemetry::dump(v);
    }, 4096);  // small read chunks: line ends across chunk borders are exercised, and runs are fast
    for (const auto& w : st.warnings)
      if (w.text().find_first_of(std::string("\n\r\0", 3)) != std::string::npos) fhops_fuzz::finding("warning on several lines: " + w.text());
  } catch (const std::exception& e) {
    fhops_fuzz::finding(std::string("read_jsonl: ") + typeid(e).name() + ": " + e.what());
  }
  try {
    (void)fhops::telemetry::parse_json(text);
  } catch (const std::invalid_argument&) {
  } catch (const std::exception& e) {
    fhops_fuzz::finding(std::string("parse_json: ") + typeid(e).name() + ": " + e.what());
  }
  return 0;
}
