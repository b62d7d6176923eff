// The SVG charts of generated pages: nice ticks, one mark per data point, legends, escaping, and the
// clear errors on misuse.
#include <cmath>
#include <regex>
#include <string>
#include <vector>

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

namespace {

// The x positions of the tick labels drawn under the x axis (y = bottom + 16, horizontal ones).
std::vector<double> x_label_positions(const std::string& svg) {
  std::vector<double> xs;
  static const std::regex label(R"re(<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle" stroke="none" fill="#333">)re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), label); it != std::sregex_iterator(); ++it) xs.push_back(std::stod((*it)[1]));
  return xs;
}

}  // namespace

TEST_CASE("line chart with a long history: x labels thinned so they never overlap, every point still a mark", "[svg][site]") {
  fhops::svg::line_chart c;
  c.x.title = "Snapshot";
  c.width = 420;
  fhops::svg::series s{"sa", {}};
  for (int i = 0; i < 60; ++i) {
    c.x.categories.push_back(std::to_string(100 + i));  // short labels: horizontal, 3 characters each
    s.points.push_back({static_cast<double>(i), 1.0 + i % 3});
  }
  c.series.push_back(s);
  const std::string svg = fhops::svg::render(c);
  CHECK(count(svg, "class=\"mark\"") == 60);
  const auto xs = x_label_positions(svg);
  REQUIRE(xs.size() >= 2);
  CHECK(xs.size() < 60);
  for (std::size_t i = 1; i < xs.size(); ++i) CHECK(xs[i] - xs[i - 1] >= 3 * 6.2 + 4);  // a label's width apart
  // Long labels are slanted and thinned to a line's height apart.
  c.x.categories.clear();
  for (int i = 0; i < 60; ++i) c.x.categories.push_back("2026-11-" + std::to_string(10 + i) + "T000000Z");
  const std::string slanted = fhops::svg::render(c);
  CHECK(count(slanted, "rotate(-40)") < 60 / 2);
  CHECK(count(slanted, "rotate(-40)") > 5);
}

TEST_CASE("line chart: one value dwarfing the rest clips the axis to the 2nd-98th percentile, the outlier marked", "[svg][site]") {
  fhops::svg::line_chart c;
  fhops::svg::series s{"objective", {{0.0, -2058.0}}};
  for (int i = 1; i <= 50; ++i) s.points.push_back({i * 100.0, 85.0 + i % 17});
  c.series.push_back(s);
  const std::string svg = fhops::svg::render(c);
  CHECK(count(svg, "class=\"mark\"") == 51);
  CHECK(count(svg, "data-clipped=\"low\"") == 1);
  CHECK(svg.find("-2058 (beyond the axis)</title>") != std::string::npos);
  CHECK(svg.find("y clipped to the 2nd–98th percentile") != std::string::npos);
  CHECK(svg.find(">-2000<") == std::string::npos);  // the axis is the run's range, not the outlier's
  CHECK(svg.find(">80<") != std::string::npos);
  // A fixed range, or robust_y off: the axis covers everything, nothing clipped.
  c.robust_y = false;
  CHECK(fhops::svg::render(c).find("data-clipped") == std::string::npos);
}

TEST_CASE("line chart: positive values spanning over 3 decades get a log axis", "[svg][site]") {
  fhops::svg::line_chart c;
  fhops::svg::series s{"temperature", {}};
  for (int i = 0; i <= 40; ++i) s.points.push_back({static_cast<double>(i), std::pow(10.0, 2 - i * 1.05)});  // 100 down to 1e-40
  c.series.push_back(s);
  const std::string svg = fhops::svg::render(c);
  CHECK(svg.find(">log scale<") != std::string::npos);
  CHECK(svg.find(">100<") != std::string::npos);
  CHECK(svg.find(">1e-") != std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(count(svg, "class=\"mark\"") == 41);
  // A narrow positive range stays linear.
  c.series[0].points = {{0, 2.0}, {1, 3.0}, {2, 50.0}};
  CHECK(fhops::svg::render(c).find("log scale") == std::string::npos);
}
