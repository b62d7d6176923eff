/// \file
/// A box plot in the style of the SVG charts (`svg_chart.hpp`: same frame, axes, palette and
/// escaping): one box per named sample along a category axis — quartiles (linear interpolation),
/// the median as a bar, whiskers to the furthest values within 1.5 IQR of the box (Tukey) and
/// the values beyond as outlier points. Every box is a `<g class="mark">` with a `<title>` that
/// gives n, the median, the quartiles and the range.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fhops/util/html.hpp"
#include "fhops/util/statistics.hpp"
#include "fhops/pages/svg_chart.hpp"

namespace fhops::svg {

/// One box: a name (its category label) and its values (NaNs are skipped).
struct box {
  std::string name;
  std::vector<double> values;
};

/// Boxes side by side; `x.categories` defaults to the boxes' names.
struct box_plot {
  std::string title;
  std::vector<svg::box> boxes;
  axis x;
  axis y;
  std::vector<std::string> colour_domain;  ///< names in colour order, shared by facets; empty = box order
  int width = 360;
  int height = 280;
};

/// The box plot as an <svg> element.
inline std::string render(const box_plot& c) {
  std::vector<std::vector<double>> samples;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& b : c.boxes) {
    std::vector<double> v;
    for (const double x : b.values)
      if (std::isfinite(x)) v.push_back(x), detail::widen(lo, hi, x);
    std::sort(v.begin(), v.end());
    samples.push_back(std::move(v));
  }
  axis x = c.x;
  if (x.categories.empty())
    for (const auto& b : c.boxes) x.categories.push_back(b.name);
  if (x.categories.size() != c.boxes.size()) throw std::invalid_argument("svg box plot: x.categories must name every box");
  if (x.categories.empty()) x.categories.push_back("");  // a frame to say "no data" in
  const bool any = lo <= hi;
  const auto f = detail::layout(c.width, c.height, x, ticks{}, detail::axis_ticks(c.y, any ? lo : 0.0, any ? hi : 1.0, false), {});
  std::string out = detail::open(f, c.title) + detail::axes(f, x, c.y);
  if (!any) out += detail::no_data(f);
  const double half = std::min(f.band() * 0.3, 40.0);
  for (std::size_t i = 0; i < c.boxes.size(); ++i) {
    const auto& v = samples[i];
    if (v.empty()) continue;
    const std::string colour(detail::colour(c.colour_domain, c.boxes[i].name, i));
    const double q1 = stats::quantile(v, 0.25), med = stats::quantile(v, 0.5), q3 = stats::quantile(v, 0.75);
    const double fence_lo = q1 - 1.5 * (q3 - q1), fence_hi = q3 + 1.5 * (q3 - q1);
    const double w_lo = *std::find_if(v.begin(), v.end(), [&](double y) { return y >= fence_lo; });
    const double w_hi = *std::find_if(v.rbegin(), v.rend(), [&](double y) { return y <= fence_hi; });
    const double cx = f.px(static_cast<double>(i));
    const auto n = detail::num;
    out += fmt::format("<g class=\"mark box\" data-name=\"{}\"><title>{}: n={}, median {}, quartiles {} to {}, range {} to {}</title>\n",
                       html::escape(c.boxes[i].name), html::escape(c.boxes[i].name), v.size(), detail::value_text(med),
                       detail::value_text(q1), detail::value_text(q3), detail::value_text(v.front()), detail::value_text(v.back()));
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#555\"/>\n", n(cx), n(f.py(w_hi)), n(f.py(q3)));
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#555\"/>\n", n(cx), n(f.py(q1)), n(f.py(w_lo)));
    for (const double w : {w_lo, w_hi})
      out += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"#555\"/>\n", n(cx - half / 2), n(cx + half / 2), n(f.py(w)));
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.55\" stroke=\"{}\"/>\n", n(cx - half),
                       n(f.py(q3)), n(2 * half), n(std::max(0.5, f.py(q1) - f.py(q3))), colour, colour);
    out += fmt::format("<line class=\"median\" x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"#222\" stroke-width=\"2\"/>\n",
                       n(cx - half), n(cx + half), n(f.py(med)));
    for (const double y : v)
      if (y < w_lo || y > w_hi)
        out += fmt::format("<circle class=\"outlier\" cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"none\" stroke=\"{}\"/>\n", n(cx), n(f.py(y)), colour);
    out += "</g>\n";
  }
  return out + "</svg>\n";
}

}  // namespace fhops::svg
