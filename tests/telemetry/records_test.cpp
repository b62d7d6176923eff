// Record schemas, the JSON writer and reader, the sinks and the step recorder.
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "fhops/telemetry/async_sink.hpp"
#include "fhops/telemetry/json_reader.hpp"
#include "fhops/telemetry/jsonl_sink.hpp"
#include "fhops/telemetry/recorder.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/telemetry/sink.hpp"
#include "../test_support.hpp"

namespace tel = fhops::telemetry;
using fhops_test::scratch;
using fhops_test::slurp;
using fhops_test::write;

namespace {

tel::run_record sample_run() {
  tel::run_record r;
  r.run_id = "0123456789abcdef0123456789abcdef";
  r.solver = "sa";
  r.scenario = "FHOPS MiniToy";
  r.scenario_path = "examples/minitoy/scenario.yaml";
  r.seed = 42;
  r.metrics = {{"objective", 13.0}, {"initial_score", -4021.5}, {"acceptance_rate", 0.31197771587743733}};
  r.config = {{"iters", 120}, {"batch_size", nullptr}, {"operators", tel::json::object{{"swap", 1.0}, {"move", 1.0}}}};
  r.context = {{"num_days", 14}, {"source", "cli.solve-heur"}, {"tier", "short"}, {"profile", "explore"}};
  r.extra = {{"iterations", 120}, {"temperature0", 402.15}};
  r.started_at = "2025-11-11T21:15:53+00:00";
  r.finished_at = "2025-11-11T21:15:54+00:00";
  r.duration_seconds = 0.12345;
  r.kpis = {{"total_production", 45.5}, {"completed_blocks", 1}, {"makespan_shift", "S1"},
            {"repair_usage_alert", "H1, H2"}};
  return r;
}

}  // namespace

TEST_CASE("a run record is written with the reference's key order and number spelling", "[telemetry]") {
  const std::string line = tel::jsonl_line(sample_run());
  CHECK(line ==
        "{\"record_type\":\"run\",\"schema_version\":\"1.1\",\"run_id\":\"0123456789abcdef0123456789abcdef\","
        "\"solver\":\"sa\",\"scenario\":\"FHOPS MiniToy\",\"scenario_path\":\"examples/minitoy/scenario.yaml\","
        "\"seed\":42,\"status\":\"ok\",\"metrics\":{\"objective\":13.0,\"initial_score\":-4021.5,"
        "\"acceptance_rate\":0.31197771587743733},\"config\":{\"iters\":120,\"batch_size\":null,"
        "\"operators\":{\"swap\":1.0,\"move\":1.0}},\"context\":{\"num_days\":14,\"source\":\"cli.solve-heur\","
        "\"tier\":\"short\",\"profile\":\"explore\"},\"extra\":{\"iterations\":120,\"temperature0\":402.15},"
        "\"artifacts\":[],\"error\":null,\"started_at\":\"2025-11-11T21:15:53+00:00\","
        "\"finished_at\":\"2025-11-11T21:15:54+00:00\",\"duration_seconds\":0.123,\"tuner_meta\":{},"
        "\"source\":\"cli.solve-heur\",\"profile\":\"explore\",\"tier\":\"short\",\"kpis\":{\"total_production\":45.5,"
        "\"completed_blocks\":1,\"makespan_shift\":\"S1\",\"repair_usage_alert\":\"H1, H2\"}}\n");
}

TEST_CASE("step records and tuner summaries follow §1.7 and §1.8", "[telemetry]") {
  tel::step_record s{"abc", "2025-01-02T03:04:05+00:00", 100, 12.5, 13.0, 0.5, 0.25, 400, 100};
  std::string line;
  tel::append_jsonl_line(line, s);
  CHECK(line ==
        "{\"record_type\":\"step\",\"schema_version\":\"1.1\",\"run_id\":\"abc\",\"timestamp\":\"2025-01-02T03:04:05+00:00\","
        "\"step\":100,\"objective\":12.5,\"best_objective\":13.0,\"temperature\":0.5,\"acceptance_rate\":0.25,"
        "\"proposals\":400,\"accepted_moves\":100}\n");
  s.temperature.reset();
  s.acceptance_rate.reset();
  line.clear();
  tel::append_jsonl_line(line, s);
  CHECK(line.find("\"temperature\":null,\"acceptance_rate\":null") != std::string::npos);

  tel::tuner_summary_record t{"random", 2, {{"FHOPS MiniToy", 9.0}, {"baseline:med42", -733.25}}, "ffff", "2025-11-11T21:15:55+00:00"};
  CHECK(tel::jsonl_line(tel::to_json(t)) ==
        "{\"record_type\":\"tuner_summary\",\"schema_version\":\"1.1\",\"algorithm\":\"random\",\"scenarios_evaluated\":2,"
        "\"configurations\":2,\"scenario_best\":{\"FHOPS MiniToy\":9.0,\"baseline:med42\":-733.25},\"summary_id\":\"ffff\","
        "\"created_at\":\"2025-11-11T21:15:55+00:00\"}\n");
}

TEST_CASE("the JSON writer spells values as Python's json.dumps, non-finite numbers as null", "[telemetry]") {
  const tel::json v(tel::json::object{{"b", 1e-05}, {"a", tel::json::array{1, 2.0, "é\n", nullptr, true}},
                                      {"c", std::numeric_limits<double>::quiet_NaN()},
                                      {"d", -std::numeric_limits<double>::infinity()}, {"e", 1e16}});
  // standard JSON has no NaN or Infinity: they are written as null (issue 24), never as Python's tokens
  CHECK(tel::dump(v) == "{\"b\":1e-05,\"a\":[1,2.0,\"é\\n\",null,true],\"c\":null,\"d\":null,\"e\":1e+16}");
  CHECK(tel::dump_sorted(v) == "{\"a\": [1, 2.0, \"é\\n\", null, true], \"b\": 1e-05, \"c\": null, \"d\": null, \"e\": 1e+16}");
}

TEST_CASE("the reader round-trips records, keeps int vs float and accepts NaN/Infinity", "[telemetry]") {
  const std::string line = tel::jsonl_line(sample_run());
  const tel::json back = tel::parse_json(line);
  CHECK(tel::dump(back) + "\n" == line);
  const tel::json odd = tel::parse_json("{\"x\":NaN,\"y\":[Infinity,-Infinity],\"s\":\"NaN Infinity\",\"n\":13.0,\"i\":13}");
  CHECK(std::isnan(odd.find("x")->as_double()));
  CHECK(tel::dump(odd) == "{\"x\":null,\"y\":[null,null],\"s\":\"NaN Infinity\",\"n\":13.0,\"i\":13}");
}

TEST_CASE("JSON that Python writes and simdjson rejects is valid; torn and invalid text is not", "[telemetry][json]") {
  tel::json_parser p;
  const auto big = p.parse(R"({"a":18446744073709551616,"b":-99999999999999999999999,"c":123456789012345678901234567890.5})");
  REQUIRE(big);
  CHECK(big->find("a")->as_double() == 18446744073709551616.0);
  CHECK(big->find("b")->as_double() < -9.9e22);
  const auto inf = p.parse(R"({"a":1e999,"b":-1E+400,"c":1e-400,"d":[NaN,Infinity]})");
  REQUIRE(inf);
  CHECK(inf->find("a")->as_double() == HUGE_VAL);
  CHECK(inf->find("b")->as_double() == -HUGE_VAL);
  CHECK(inf->find("c")->as_double() == 0.0);
  const auto lone = p.parse(R"({"s":"x\ud800y","t":"\udc00","u":"\ud83d\ude00","v":"\u00e9\n"})");
  REQUIRE(lone);
  CHECK(*lone->string_at("s") == "x\xEF\xBF\xBDy");  // U+FFFD stands in for the lone surrogate
  CHECK(*lone->string_at("t") == "\xEF\xBF\xBD");
  CHECK(*lone->string_at("u") == "\xF0\x9F\x98\x80");
  CHECK(*lone->string_at("v") == "\xC3\xA9\n");
  for (const std::string& bad : std::vector<std::string>{R"({"a":1e999)", R"({"a":"\ud800)", R"({"a":01})", R"({"a":1e})", R"({"a":-})", R"({"a":.5})",
                                R"({"a":1.})", R"({"a":+1})", R"({"a":[1,]})", R"({"a" 1})", R"({"a":1} x)", R"({"a":"\x"})",
                                R"({"a":"\u12"})", std::string("{\"a\":\"\x01\"}"), std::string("{\"a\":\"\xff\"}"),
                                std::string("{\"a\":\"\xC0\xAF\"}"), std::string("{\"a\":\"\xED\xA0\x80\"}"), R"({"a":tru})",
                                R"({"a":1e999} {"b":2})", R"({'a':1})", R"({"a":nan})"})
    CHECK_FALSE(p.parse(bad + std::string(2, ' ')).has_value());
  std::string deep(100000, '[');
  CHECK_FALSE(p.parse(deep + "1e999").has_value());
}

TEST_CASE("a torn last line is skipped with a warning naming file and line", "[telemetry]") {
  const auto dir = scratch("torn");
  const auto log = dir / "runs.jsonl";
  write(log, "{\"a\":1}\n\n{\"a\":2}\n[3]\n{\"record_type\":\"run\",\"ru");
  std::vector<long long> seen;
  const auto st = tel::read_jsonl(log.string(), [&](const tel::text_line&, tel::json&& v) {
    seen.push_back(std::get<long long>(v.find("a")->value));
  });
  CHECK(seen == std::vector<long long>{1, 2});
  CHECK(st.lines == 5);
  CHECK(st.blank == 1);
  REQUIRE(st.warnings.size() == 2);
  CHECK(st.warnings[0].text() == log.string() + ":4: skipped: not a JSON object");
  CHECK(st.warnings[1].line == 5);
  CHECK(st.warnings[1].text().find(log.string() + ":5: skipped torn or invalid record (no final newline)") == 0);
  CHECK(st.torn_tail);
  CHECK_THROWS_AS(tel::read_jsonl((dir / "missing.jsonl").string(), [](auto&&, auto&&) {}), fhops::input_error);
}

TEST_CASE("lines longer than the read chunk are read whole", "[telemetry]") {
  const auto dir = scratch("long_lines");
  std::string text;
  for (int i = 0; i < 50; ++i) text += "{\"k\":\"" + std::string(static_cast<std::size_t>(1000 + i * 37), 'x') + "\"}\n";
  write(dir / "a.jsonl", text);
  std::size_t n = 0, bytes = 0;
  tel::for_each_line((dir / "a.jsonl").string(), [&](const tel::text_line& l) {
    ++n;
    bytes += l.text.size() + 1;
  }, 512);
  CHECK(n == 50);
  CHECK(bytes == text.size());
}

TEST_CASE("a FIFO or a device as a JSONL log is refused at once; an endless line is bounded", "[telemetry][input]") {
  const auto dir = scratch("jsonl_fifo");
  const auto fifo = dir / "runs.jsonl";
  fhops_test::make_fifo(fifo);
  const std::string what = fhops_test::without_hang(fifo, [&] {
    try {
      (void)tel::read_jsonl(fifo.string(), [](auto&&, auto&&) {});
    } catch (const fhops::input_error& e) {
      return std::string(e.what());
    }
    return std::string("no input_error");
  });
  CHECK(what == fifo.string() + ": is not a regular file (a FIFO, device or socket); only regular files are read");
  // /dev/zero never ends and has no line break: it used to grow the line buffer without bound
  CHECK_THROWS_WITH(tel::read_jsonl("/dev/zero", [](auto&&, auto&&) {}), Catch::Contains("/dev/zero: is not a regular file"));
  write(dir / "long.jsonl", "{\"a\":1}\n" + std::string(5000, 'x'));
  CHECK_THROWS_WITH(tel::for_each_line((dir / "long.jsonl").string(), [](const tel::text_line&) {}, 256, 1000),
                    Catch::Contains("long.jsonl:2: line is longer than the 1000 bytes limit"));
}

TEST_CASE("an append after a torn tail starts on a fresh line", "[telemetry]") {
  const auto dir = scratch("append_torn");
  const auto log = dir / "runs.jsonl";
  write(log, "{\"a\":1}\n{\"a\":");
  tel::append_jsonl(log, "{\"a\":3}\n");
  CHECK(slurp(log) == "{\"a\":1}\n{\"a\":\n{\"a\":3}\n");
  const auto st = tel::read_jsonl(log.string(), [](auto&&, auto&&) {});
  CHECK(st.records == 2);
  CHECK(st.warnings.size() == 1);
  CHECK_FALSE(st.torn_tail);
}

TEST_CASE("appending to a folder or an unwritable place is an output_error naming the path", "[telemetry]") {
  const auto dir = scratch("append_errors");
  std::filesystem::create_directories(dir / "runs.jsonl");
  CHECK_THROWS_WITH(tel::append_jsonl(dir / "runs.jsonl", "{}\n"), Catch::Contains("runs.jsonl") && Catch::Contains("is a directory"));
  write(dir / "file", "x");
  CHECK_THROWS_AS(tel::append_jsonl(dir / "file" / "runs.jsonl", "{}\n"), fhops::output_error);
  // A log is a regular file (its mirror and steps/ are written beside it): a device is refused.
  if (std::filesystem::exists("/dev/full"))
    CHECK_THROWS_WITH(tel::append_jsonl("/dev/full", "{}\n"), Catch::Contains("/dev/full") && Catch::Contains("not a regular file"));
}

namespace {

struct memory_sink {
  std::vector<std::string> events;
  std::vector<tel::step_record> steps;
  void run_started(const tel::run_start& r) { events.push_back("start " + r.run_id); }
  void step(const tel::step_record& s) {
    steps.push_back(s);
    events.push_back("step " + std::to_string(s.step));
  }
  void run_finished(const tel::run_record& r) { events.push_back("end " + r.run_id); }
  void tuner_summary(const tel::tuner_summary_record& s) { events.push_back("summary " + s.algorithm); }
  void flush() { events.push_back("flush"); }
};
static_assert(tel::telemetry_sink<memory_sink>);

void drive(tel::step_recorder<memory_sink>& rec, long long iterations) {
  std::vector<tel::operator_counters> ops(2);
  rec.on(tel::run_begin_event{"sa", 1.0});
  for (long long i = 1; i <= iterations; ++i) {
    ops[0].improvements = i / 10;
    rec.on(tel::step_event{i, double(i), double(i), 0.5, 2 * i, i, 2 * i, 0.0, ops});
  }
  rec.on(tel::run_end_event{"sa", double(iterations), iterations, 2 * iterations, 0.0, "iterations"});
}

}  // namespace

TEST_CASE("the step recorder writes step 1, every interval and the last step", "[telemetry]") {
  memory_sink sink;
  tel::step_recorder rec(sink, {"r1", 100, tel::acceptance_column::accepted});
  static_assert(tel::observes<tel::step_recorder<memory_sink>, tel::step_event>);
  drive(rec, 250);
  std::vector<long long> steps;
  for (const auto& s : sink.steps) steps.push_back(s.step);
  CHECK(steps == std::vector<long long>{1, 100, 200, 250});
  CHECK(sink.events.front() == "start r1");
  CHECK(sink.steps[1].acceptance_rate == 0.5);
  CHECK(sink.steps[1].temperature == 0.5);

  memory_sink exact;
  tel::step_recorder rec2(exact, {"r2", 25, tel::acceptance_column::improvements});
  drive(rec2, 50);
  CHECK(exact.steps.size() == 3);  // 1, 25, 50 (the last step is not written twice)
  CHECK(exact.steps[2].accepted_moves == 5);
  CHECK(exact.steps[2].acceptance_rate == 0.05);

  memory_sink off;
  tel::step_recorder rec3(off, {"r3", 0, tel::acceptance_column::none});
  drive(rec3, 50);
  CHECK(off.events.empty());
}

TEST_CASE("the tee sink sends every record to each sink in order", "[telemetry]") {
  memory_sink a, b;
  tel::tee_sink tee(a, b);
  tee.run_started({"x", "sa", ""});
  tee.tuner_summary({"grid", 1, {}, "id", ""});
  tee.flush();
  CHECK(a.events == std::vector<std::string>{"start x", "summary grid", "flush"});
  CHECK(b.events == a.events);
}

TEST_CASE("the async sink delivers every record in order on its writer thread", "[telemetry]") {
  memory_sink target;
  {
    tel::async_sink async(target, 64);  // a small bound exercises the producer's wait
    for (long long i = 1; i <= 5000; ++i) async.step(tel::step_record{"r", "", i, 0, 0, {}, {}, 0, 0});
    async.flush();
    CHECK(target.steps.size() == 5000);
    async.run_finished(tel::run_record{});
  }
  REQUIRE(target.steps.size() == 5000);
  bool ordered = true;
  for (std::size_t i = 0; i < target.steps.size(); ++i) ordered = ordered && target.steps[i].step == static_cast<long long>(i + 1);
  CHECK(ordered);
  CHECK(target.events.back() == "flush");
  CHECK(std::find(target.events.begin(), target.events.end(), "end ") != target.events.end());
}

TEST_CASE("the async sink reports a failure of the wrapped sink on flush", "[telemetry]") {
  const auto dir = scratch("async_fail");
  std::filesystem::create_directories(dir / "steps");
  tel::step_log steps(dir / "steps");
  std::filesystem::create_directories(dir / "steps" / "r.jsonl");  // a folder where the file goes
  tel::async_sink async(steps);
  async.step(tel::step_record{"r", "", 1, 0, 0, {}, {}, 0, 0});
  CHECK_THROWS_WITH(async.flush(), Catch::Contains("r.jsonl"));
  CHECK_FALSE(async.good());
}

TEST_CASE("the step log writes one file per run beside the run log", "[telemetry]") {
  const auto dir = scratch("step_log");
  const auto log = dir / "telemetry" / "runs.jsonl";
  CHECK(tel::sqlite_path_for(log) == dir / "telemetry" / "runs.sqlite");
  CHECK(tel::sqlite_path_for(dir / "runs") == dir / "runs.sqlite");
  tel::step_log steps(tel::steps_dir_for(log));
  CHECK(std::filesystem::is_directory(dir / "telemetry" / "steps"));
  steps.step(tel::step_record{"a", "t", 1, 0, 0, {}, {}, 0, 0});
  steps.step(tel::step_record{"b", "t", 1, 0, 0, {}, {}, 0, 0});
  steps.step(tel::step_record{"a", "t", 2, 0, 0, {}, {}, 0, 0});
  tel::run_record ra;
  ra.run_id = "a";
  steps.run_finished(ra);
  CHECK_FALSE(std::filesystem::exists(dir / "telemetry" / "steps" / "b.jsonl"));
  steps.flush();
  std::size_t lines_a = 0;
  tel::read_jsonl((dir / "telemetry" / "steps" / "a.jsonl").string(), [&](auto&&, auto&&) { ++lines_a; });
  CHECK(lines_a == 2);
  CHECK(std::filesystem::exists(dir / "telemetry" / "steps" / "b.jsonl"));
}

TEST_CASE("run ids are time-ordered UUIDs (version 7) in hex and timestamps ISO seconds in UTC", "[telemetry]") {
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string a = tel::new_run_id(), b = tel::new_run_id();
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(a.size() == 32);
  CHECK(a != b);
  CHECK(a[12] == '7');
  CHECK(std::string("89ab").find(a[16]) != std::string::npos);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  const long long stamp = std::stoll(a.substr(0, 12), nullptr, 16);  // the first 48 bits: Unix milliseconds
  CHECK(stamp >= before);
  CHECK(stamp <= after);
  std::string previous = a.substr(0, 12);
  for (int i = 0; i < 100; ++i) {  // ordered by time: a later id never sorts before an earlier one's millisecond
    const std::string id = tel::new_run_id();
    CHECK(id.substr(0, 12) >= previous);
    previous = id.substr(0, 12);
  }
  CHECK(tel::utc_iso_seconds(std::chrono::system_clock::from_time_t(0)) == "1970-01-01T00:00:00+00:00");
  const auto t = tel::parse_utc_iso("2025-11-11T21:15:53+00:00");
  REQUIRE(t);
  CHECK(tel::utc_iso_seconds(*t) == "2025-11-11T21:15:53+00:00");
  CHECK_FALSE(tel::parse_utc_iso("yesterday"));
}

TEST_CASE("run ids: the writers' format and a safe file-name charset, nothing else", "[telemetry][records]") {
  CHECK(tel::valid_run_id(tel::new_run_id()));
  CHECK(tel::valid_run_id("0196a1b2c3d47e5f8a9b0c1d2e3f4a5b"));
  CHECK(tel::valid_run_id("run-7"));
  CHECK(tel::valid_run_id("chunk_3.rerun-2"));
  for (const std::string& bad : std::vector<std::string>{"", "..", "../x", "../runs", "/etc/passwd", "a/b", ".hidden", "-rf", "a..b", "a b", "a\\b",
                                std::string("a\0b", 3), "é", std::string(129, 'a')})
    CHECK_FALSE(tel::valid_run_id(bad));
  CHECK(tel::valid_run_id(std::string(128, 'a')));
  CHECK_THROWS_WITH(tel::step_path_for("steps", "../runs"), Catch::Contains("../runs") && Catch::Contains("run id"));
  CHECK(tel::step_path_for("steps", "run-7") == std::filesystem::path("steps") / "run-7.jsonl");
}

TEST_CASE("the step log writes no file for an invalid run id", "[telemetry][records]") {
  const auto dir = scratch("step_log_bad_id");
  tel::step_log steps(dir / "steps");
  steps.step(tel::step_record{"../outside", "2025-11-11T00:00:00+00:00", 1, 1.0, 1.0, {}, {}, 1, 1});
  tel::run_record r;
  r.run_id = "../outside";
  CHECK_THROWS_WITH(steps.run_finished(r), Catch::Contains("../outside"));
  CHECK_FALSE(std::filesystem::exists(dir / "outside.jsonl"));
}
