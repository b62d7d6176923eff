// The SVG charts of generated pages: nice ticks, one mark per data point, legends, escaping, and the
// clear errors on misuse.
#include <cmath>
#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "../test_support.hpp"
#include "fhops/pages/svg_chart.hpp"
#include "fhops/util/html.hpp"

namespace {

using fhops_test::count;

}  // namespace

TEST_CASE("nice ticks cover the range with 1/2/2.5/5 steps", "[svg]") {
  const auto t = fhops::svg::nice_ticks(3.2, 97.0);
  CHECK(t.step == Approx(25.0));
  CHECK(t.lo == Approx(0.0));
  CHECK(t.hi == Approx(100.0));
  CHECK(t.values.size() == 5);  // 0, 25, 50, 75, 100
  CHECK(t.decimals == 0);
  const auto f = fhops::svg::nice_ticks(0.0, 1.0);
  CHECK(f.step == Approx(0.25));
  CHECK(f.decimals == 2);
  const auto neg = fhops::svg::nice_ticks(-1290.0, -1240.0);
  CHECK(neg.lo <= -1290.0);
  CHECK(neg.hi >= -1240.0);
  const auto flat = fhops::svg::nice_ticks(5.0, 5.0);  // a single value still gets a visible range
  CHECK(flat.lo < 5.0);
  CHECK(flat.hi > 5.0);
}

TEST_CASE("line chart: one mark per finite point, lines broken at NaN, a legend entry per series", "[svg]") {
  fhops::svg::line_chart c;
  c.title = "Best <objective>";
  c.x = {"Snapshot", {"2024-11-10", "2024-11-11", "2024-11-12"}};
  c.y.title = "best";
  c.series = {{"random", {{0, 6.2}, {1, 6.8}, {2, std::nan("")}}}, {"grid", {{1, 7.1}, {2, 7.5}}}};
  const std::string svg = fhops::svg::render(c);
  CHECK(count(svg, "class=\"mark\"") == 4);
  CHECK(count(svg, "<path class=\"line\"") == 2);
  CHECK(svg.find("Best &lt;objective&gt;") != std::string::npos);
  CHECK(svg.find("<g class=\"legend\">") != std::string::npos);
  CHECK(svg.find(">random</text>") != std::string::npos);
  CHECK(svg.find(">2024-11-12</text>") != std::string::npos);
  CHECK(svg.find("<title>grid, 2024-11-12: 7.500</title>") != std::string::npos);
  CHECK(svg.rfind("<svg class=\"chart\"", 0) == 0);
  CHECK(svg == fhops::svg::render(c));  // deterministic
  // A shared colour domain keeps a series' colour when another panel lacks the first series.
  fhops::svg::line_chart only_grid = c;
  only_grid.series.erase(only_grid.series.begin());
  only_grid.colour_domain = {"random", "grid"};
  CHECK(fhops::svg::render(only_grid).find("fill=\"#f58518\"") != std::string::npos);
}

TEST_CASE("line chart without data says so and has no marks", "[svg]") {
  fhops::svg::line_chart c;
  c.title = "empty";
  const std::string svg = fhops::svg::render(c);
  CHECK(count(svg, "class=\"mark\"") == 0);
  CHECK(svg.find("no data") != std::string::npos);
}

TEST_CASE("bar chart: grouped bars, negative values below the zero line", "[svg]") {
  fhops::svg::bar_chart b;
  b.title = "objective by preset";
  b.x = {"preset", {"default", "explore", "stabilise"}};
  b.y.title = "objective";
  b.series = {{"small", {3.0, -2.0, std::nan("")}}, {"large", {5.0, 4.0, 1.0}}};
  const std::string svg = fhops::svg::render(b);
  CHECK(count(svg, "class=\"mark\"") == 5);
  CHECK(svg.find("<title>small, explore: -2</title>") != std::string::npos);
  b.x.categories.clear();
  CHECK_THROWS_WITH(fhops::svg::render(b), Catch::Contains("x.categories"));
}

TEST_CASE("histogram: counts add up to the samples, shared bins for overlaid samples", "[svg]") {
  fhops::svg::histogram h;
  h.title = "production per sample";
  h.x_title = "production";
  h.samples = {{"baseline", {1, 2, 2, 3, 3, 3, 4}}, {"shock", {1, 1, 2}}};
  h.bins = 4;
  const std::string svg = fhops::svg::render(h);
  int total = 0;
  const std::regex tip(R"(\): (\d+)</title>)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tip); it != std::sregex_iterator(); ++it) total += std::stoi((*it)[1]);
  CHECK(total == 10);
  CHECK(svg.find("fill-opacity=\"0.55\"") != std::string::npos);
  h.bins = 0;
  CHECK_THROWS_WITH(fhops::svg::render(h), Catch::Contains("bins"));
}

TEST_CASE("heatmap: one cell per finite value, a colour scale, shape errors", "[svg]") {
  fhops::svg::heatmap h;
  h.title = "utilisation";
  h.x = {"day", {"1", "2", "3"}};
  h.y = {"machine", {"H1", "F1"}};
  h.values = {{0.5, 1.0, std::nan("")}, {0.0, 0.25, 0.75}};
  h.value_title = "utilisation";
  const std::string svg = fhops::svg::render(h);
  CHECK(count(svg, "class=\"mark\"") == 5);
  CHECK(svg.find("<g class=\"scale\">") != std::string::npos);
  CHECK(svg.find("fill=\"#440154\"") != std::string::npos);  // the minimum gets the scale's first colour
  h.values.pop_back();
  CHECK_THROWS_WITH(fhops::svg::render(h), Catch::Contains("one row per y category"));
}

TEST_CASE("facets and pages are self-contained HTML", "[svg]") {
  fhops::svg::line_chart c;
  c.title = "a";
  c.series = {{"s", {{0, 1}, {1, 2}}}};
  const std::string grid = fhops::svg::facets({{"scenario A", fhops::svg::render(c)}, {"scenario B", fhops::svg::render(c)}});
  CHECK(count(grid, "<figure class=\"facet\">") == 2);
  const std::string page = fhops::html::page("T & U", grid, "built in light mode");
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("<title>T &amp; U</title>") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("http://") == page.find("http://www.w3.org/2000/svg"));  // the SVG namespace is the only URL
  fhops::svg::line_chart tiny = c;
  tiny.width = 50;
  CHECK_THROWS_AS(fhops::svg::render(tiny), std::invalid_argument);
}
