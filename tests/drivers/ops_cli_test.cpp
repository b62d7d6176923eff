// fhops ops weekly / ops pages: the runbook's weekly template executed end to end on the project's
// demo bundle, failures reported while the rest still runs, and the Pages site with its size guard.
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fhops/workflows/checklist.hpp"
#include "../test_support.hpp"
#include "browser.hpp"

namespace fs = std::filesystem;

namespace {

std::string demo_bundle() { return (fhops_test::source_dir() / "examples/bundles/demo.yaml").string(); }

std::string weekly(const fs::path& dir, const std::string& extra) {
  return "cd " + dir.string() + " && " + fhops_test::driver() + " ops weekly --out out --light --bundle " + demo_bundle() +
         " --trials 2 --iters 60 --date 2026-11-26 --scenarios-dir " + (fhops_test::source_dir() / "examples/scenarios").string() + " " + extra;
}

}  // namespace

TEST_CASE("checklist: every step runs, failures are recorded, the entry ticks only what ran ok", "[ops]") {
  int ran = 0;
  std::vector<fhops::checklist_step> steps{
      {"a", "First box", [&] { ++ran; return fhops::step_outcome{}; }, {}, "cmd a"},
      {"b", "Second box", [&]() -> fhops::step_outcome { ++ran; throw std::runtime_error("disk | full"); }, {}, {}},
      {"c", "Third box", [&] { ++ran; return fhops::step_outcome{fhops::step_status::failed, "exit 2"}; }, {}, {}},
      {"d", "Manual box", {}, "by hand", {}},
  };
  const auto results = fhops::run_checklist(steps);
  CHECK(ran == 3);
  REQUIRE(results.size() == 4);
  CHECK(results[0].status == fhops::step_status::ok);
  CHECK(results[1].status == fhops::step_status::failed);
  CHECK(results[1].message == "disk | full");
  CHECK(results[3].status == fhops::step_status::manual);
  CHECK_FALSE(fhops::all_ok(results));
  const std::string md = fhops::checklist_markdown("Week of 2026-11-23", results);
  CHECK(md.rfind("# Week of 2026-11-23\n", 0) == 0);
  CHECK(md.find("- [x] First box (") != std::string::npos);
  CHECK(md.find("- [ ] Second box (") != std::string::npos);
  CHECK(md.find("**failed** — disk \\| full") != std::string::npos);  // escaped for the table syntax
  CHECK(md.find("- [ ] Manual box: **manual** — by hand") != std::string::npos);
  CHECK(md.find("| a | ok |") != std::string::npos);
  CHECK(md.find("`cmd a`") != std::string::npos);
}

TEST_CASE("the browser check: every page in one browser, each page's DOM and console messages its own", "[driver][site]") {
  if (!fhops_test::have_browser()) return;
  const auto dir = fhops_test::scratch("browser_check");
  fhops_test::write(dir / "site/a.html", "<!DOCTYPE html><html><body><p id=\"a\">A &amp; &lt;b&gt; \"q\"</p>"
                                         "<svg class=\"chart\"><rect class=\"mark\"></rect></svg></body></html>");
  fhops_test::write(dir / "site/sub dir/b.html", "<!DOCTYPE html><html><body><p id=\"b\">B</p>"
                                                 "<script>console.log('from b'); no_such_function();</script></body></html>");
  fhops_test::write(dir / "site/c.html", "<!DOCTYPE html><html><body><a href=\"missing.html\">gone</a></body></html>");
  const std::vector<fs::path> pages{dir / "site/a.html", dir / "site/sub dir/b.html", dir / "site/c.html"};
  const auto views = fhops_test::open_in_browser(pages, dir);
  REQUIRE(views.size() == 3);
  for (const auto& v : views) CHECK(v.exit_code == 0);
  CHECK(views[0].dom.find("<p id=\"a\">A &amp; &lt;b&gt; \"q\"</p>") != std::string::npos);  // as the browser serialises it
  CHECK(views[0].dom.find("</html>") != std::string::npos);
  CHECK(views[0].console.empty());
  CHECK(views[1].dom.find("<p id=\"b\">B</p>") != std::string::npos);
  CHECK(views[1].console.find("from b") != std::string::npos);
  CHECK(views[1].console.find("no_such_function") != std::string::npos);
  CHECK(views[2].console.empty());
  CHECK(views[2].dom.find("href=\"missing.html\"") != std::string::npos);
}

TEST_CASE("ops weekly --light on the demo bundle: every file the runbook names", "[driver][ops]") {
  const auto dir = fhops_test::scratch("ops_weekly");
  const auto r = fhops_test::run(weekly(dir, ""));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const fs::path out = dir / "out";
  for (const char* f : {"tuner_report.csv", "tuner_report.md", "tuner_report.html", "history_summary.csv", "history_summary.md",
                        "history_summary.html", "history_summary_latest.csv", "history_summary_latest.md", "history_delta.csv",
                        "history_delta.md", "history_delta.html", "runbook_entry.md", "ops_weekly.json", "analytics/index.html",
                        "analytics/metadata.json"}) {
    INFO(f);
    CHECK(fs::is_regular_file(out / f));
  }
  // The store grew and was snapshotted; the runbook entry is for the week (Monday) of --date.
  CHECK(fs::is_regular_file(dir / "telemetry/runs.sqlite"));
  std::size_t snapshots = 0;
  for (const auto& e : fs::directory_iterator(dir / "telemetry/history")) snapshots += e.path().extension() == ".sqlite";
  CHECK(snapshots == 1);
  const std::string entry = fhops_test::slurp(out / "runbook_entry.md");
  CHECK(entry.rfind("# Week of 2026-11-23\n", 0) == 0);
  for (const char* box : {"- [x] Run the analytics pages (light mode", "- [x] Run the extended tuning bundles", "- [x] Generate the telemetry report",
                          "- [x] Archive this week's history snapshot", "- [x] Generate the history and the latest-vs-previous delta",
                          "- [x] Vacuum the store", "- [x] Archive telemetry older than 28d", "- [ ] Upload artefacts"}) {
    INFO(box);
    CHECK(entry.find(box) != std::string::npos);
  }

  // A second week: a second snapshot, so the delta now compares two snapshots.
  const auto again = fhops_test::run(weekly(dir, "--skip analytics"));
  INFO(again.out);
  REQUIRE(again.exit_code == 0);
  snapshots = 0;
  for (const auto& e : fs::directory_iterator(dir / "telemetry/history")) snapshots += e.path().extension() == ".sqlite";
  CHECK(snapshots == 2);
  CHECK(fhops_test::slurp(out / "history_delta.csv").find("snapshot_previous") != std::string::npos);
  CHECK(fhops_test::slurp(out / "runbook_entry.md").find("- [ ] Run the analytics pages (light mode; record the duration): **manual** — skipped (--skip)") !=
        std::string::npos);

  // The Pages site of that week.
  const auto site = fhops_test::run(fhops_test::driver() + " ops pages --from " + out.string() + " --out " + (dir / "site").string());
  INFO(site.out);
  REQUIRE(site.exit_code == 0);
  for (const char* f : {"index.html", ".nojekyll", "telemetry/history_summary.html", "telemetry/history_delta.html", "analytics/index.html"}) {
    INFO(f);
    CHECK(fs::is_regular_file(dir / "site" / f));
  }
  const std::string index = fhops_test::slurp(dir / "site/index.html");
  CHECK(index.find("href=\"telemetry/history_summary.html\"") != std::string::npos);
  CHECK(index.find("href=\"analytics/index.html\"") != std::string::npos);
  // Every page has the site's navigation; the runbook entry is a page too.
  CHECK(fs::is_regular_file(dir / "site/telemetry/runbook_entry.html"));
  for (const char* f : {"index.html", "telemetry/history_summary.html", "telemetry/history_delta.html", "telemetry/tuner_report.html",
                        "telemetry/runbook_entry.html", "analytics/index.html"}) {
    INFO(f);
    const std::string page = fhops_test::slurp(dir / "site" / f);
    CHECK(page.find("<nav class=\"site\"") != std::string::npos);
    CHECK(page.find(">History</a><a href=") != std::string::npos);
    CHECK(page.find(">Analytics</a></nav>") != std::string::npos);
  }
  // Every page of the site in a real browser: no console message, charts with data, links resolve.
  if (fhops_test::have_browser()) CHECK(fhops_test::check_pages_in_browser(dir / "site", dir) >= 8);

  // A file over the limit: refused with its name, and the previous site stays as it was.
  const auto big = fhops_test::run(fhops_test::driver() + " ops pages --from " + out.string() + " --out " + (dir / "site").string() +
                                   " --max-file-mb 0.001");
  CHECK(big.exit_code == 1);
  CHECK(big.out.find("refuses files over") != std::string::npos);
  CHECK(fhops_test::slurp(dir / "site/index.html") == index);
}

TEST_CASE("ops weekly: a failing step is reported, the rest still run, exit 1", "[driver][ops]") {
  const auto dir = fhops_test::scratch("ops_weekly_fail");
  const auto r = fhops_test::run("cd " + dir.string() + " && " + fhops_test::driver() +
                                 " ops weekly --out out --light --skip analytics --bundle no/such/bundle.yaml --date 2026-11-26");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  const std::string entry = fhops_test::slurp(dir / "out/runbook_entry.md");
  CHECK(entry.find("- [ ] Run the extended tuning bundles") != std::string::npos);
  CHECK(entry.find("no/such/bundle.yaml") != std::string::npos);  // the failing command's own error line
  CHECK(entry.find("| maintain |") != std::string::npos);         // later steps still ran (and failed or passed on their own)
  CHECK(entry.find("| archive |") != std::string::npos);
  CHECK(r.out.find("one or more steps failed") != std::string::npos);
}

TEST_CASE("ops: bad options are usage errors", "[driver][ops]") {
  const auto d = fhops_test::driver();
  CHECK(fhops_test::run(d + " ops").exit_code == 2);
  CHECK(fhops_test::run(d + " ops monthly").exit_code == 2);
  CHECK(fhops_test::run(d + " ops weekly").exit_code == 2);  // --out is required
  CHECK(fhops_test::run(d + " ops weekly --out /tmp/x --date 2026-13-01").exit_code == 2);
  CHECK(fhops_test::run(d + " ops weekly --out /tmp/x --skip everything").exit_code == 2);
  CHECK(fhops_test::run(d + " ops pages --out /tmp/x").exit_code == 2);  // --from is required
  CHECK(fhops_test::run(d + " ops pages --from /no/such/dir --out /tmp/x").exit_code == 1);
}

TEST_CASE("ops pages publishes no symbolic link found in a folder (it could name any file)", "[driver][ops][paths]") {
  const auto dir = fhops_test::scratch("ops_pages_links");
  fhops_test::write(dir / "secret.txt", "private\n");
  fhops_test::write(dir / "week/analytics/index.html", "<p>pages</p>\n");
  fs::create_symlink(dir / "secret.txt", dir / "week/analytics/leak.txt");
  const auto r = fhops_test::run(fhops_test::driver() + " ops pages --from " + (dir / "week").string() + " --out " + (dir / "site").string());
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::is_regular_file(dir / "site/analytics/index.html"));
  CHECK(!fs::exists(dir / "site/analytics/leak.txt"));
  CHECK(fhops_test::slurp(dir / "site/index.html").find("leak.txt") == std::string::npos);
}

TEST_CASE("ops pages: a navigation bar on every page, an index of titles and dates, the runbook entry as a page", "[driver][ops][site]") {
  const auto dir = fhops_test::scratch("ops_pages_nav");
  fhops_test::write(dir / "week/runbook_entry.md",
                    "# Week of 2026-11-23\n\nSteps <script>alert(1)</script> ran.\n\n- [x] First box (`fhops tune`)\n- [ ] Second: **failed** — disk \\| full\n\n"
                    "| step | status |\n|---|---|\n| a \\| b | ok |\n\n```\nfhops ops weekly --out <out>\n```\n\nSee [the delta](history_delta.html) or [x](javascript:alert(1)).\n");
  fhops_test::write(dir / "week/history_delta.html",
                    "<!DOCTYPE html>\n<html><head><title>History &amp; delta</title></head>\n<body>\n<p>delta</p>\n</body></html>\n");
  fhops_test::write(dir / "week/history_delta.csv", "a,b\n1,2\n");
  fhops_test::write(dir / "week/analytics/index.html", "<html><head><title>Analytics</title></head><body><p>pages</p></body></html>\n");
  fhops_test::write(dir / "week/analytics/scenario/one.html", "<html><head><title>One</title></head><body><a href=\"../index.html\">up</a></body></html>\n");
  const auto r = fhops_test::run(fhops_test::driver() + " ops pages --from " + (dir / "week").string() + " --out " + (dir / "site").string());
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const fs::path site = dir / "site";
  // Every page: a navigation bar linking the index and only the sections present, relative to the page.
  const std::string index = fhops_test::slurp(site / "index.html");
  CHECK(index.find("<nav class=\"site\"") != std::string::npos);
  CHECK(index.find("<a href=\"index.html\" aria-current=\"page\"") != std::string::npos);
  CHECK(index.find("href=\"telemetry/runbook_entry.html\">Runbook</a>") != std::string::npos);
  CHECK(index.find(">Delta</a>") != std::string::npos);
  CHECK(index.find(">Analytics</a>") != std::string::npos);
  CHECK(index.find(">Tuning</a>") == std::string::npos);  // no tuning page in this site
  CHECK(index.find(">History</a>") == std::string::npos);
  const std::string deep = fhops_test::slurp(site / "analytics/scenario/one.html");
  CHECK(deep.find("<body>\n<nav class=\"site\"") != std::string::npos);
  CHECK(deep.find("href=\"../../index.html\">Index</a>") != std::string::npos);
  CHECK(fhops_test::slurp(site / "telemetry/history_delta.html").find("href=\"../index.html\">Index</a>") != std::string::npos);
  // The index: titles and dates, not raw names; no hidden file listed.
  CHECK(index.find(">History &amp; delta</a></td><td>20") != std::string::npos);
  CHECK(index.find(">Week of 2026-11-23</a>") != std::string::npos);
  CHECK(index.find("href=\"telemetry/history_delta.csv\"") != std::string::npos);
  CHECK(index.find("nojekyll") == std::string::npos);
  CHECK(fs::is_regular_file(site / ".nojekyll"));
  // The runbook entry rendered: headings, lists with boxes, tables, code, links; the rest escaped.
  const std::string entry = fhops_test::slurp(site / "telemetry/runbook_entry.html");
  CHECK(entry.find("<title>Week of 2026-11-23</title>") != std::string::npos);
  CHECK(entry.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(entry.find("<script>") == std::string::npos);
  CHECK(entry.find("<li><input type=\"checkbox\" checked disabled> First box (<code>fhops tune</code>)</li>") != std::string::npos);
  CHECK(entry.find("<strong>failed</strong> — disk | full") != std::string::npos);
  CHECK(entry.find("<th>step</th><th>status</th>") != std::string::npos);
  CHECK(entry.find("<td>a | b</td><td>ok</td>") != std::string::npos);
  CHECK(entry.find("<pre><code>fhops ops weekly --out &lt;out&gt;\n</code></pre>") != std::string::npos);
  CHECK(entry.find("<a href=\"history_delta.html\">the delta</a>") != std::string::npos);
  CHECK(entry.find("href=\"javascript") == std::string::npos);
  CHECK(fs::is_regular_file(site / "telemetry/runbook_entry.md"));  // the source stays published
  if (fhops_test::have_browser()) fhops_test::check_pages_in_browser(site, dir);
}

TEST_CASE("ops pages: two --from folders giving the same file are refused, naming both, nothing written", "[driver][ops][site]") {
  const auto dir = fhops_test::scratch("ops_pages_clash");
  fhops_test::write(dir / "a/runbook_entry.md", "# Week A\n");
  fhops_test::write(dir / "b/runbook_entry.md", "# Week B\n");
  fhops_test::write(dir / "b/history_delta.csv", "x\n");
  const auto r = fhops_test::run(fhops_test::driver() + " ops pages --from " + (dir / "a").string() + " --from " + (dir / "b").string() +
                                 " --out " + (dir / "site").string());
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("telemetry/runbook_entry.md is given by both") != std::string::npos);
  CHECK(r.out.find((dir / "a/runbook_entry.md").string()) != std::string::npos);
  CHECK(r.out.find((dir / "b/runbook_entry.md").string()) != std::string::npos);
  CHECK(!fs::exists(dir / "site"));
  // Different files from each folder are fine.
  fs::remove(dir / "b/runbook_entry.md");
  CHECK(fhops_test::run(fhops_test::driver() + " ops pages --from " + (dir / "a").string() + " --from " + (dir / "b").string() + " --out " +
                        (dir / "site").string()).exit_code == 0);
}
