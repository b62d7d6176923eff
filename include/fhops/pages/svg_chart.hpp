/// \file
/// Self-contained SVG charts for generated pages: line/point charts, grouped bars, histograms and
/// heatmaps, each with axes, tick labels, axis titles and a legend, plus a facet grid. The output is
/// static markup (no scripts, no fonts, no network), deterministic byte for byte, and opens from
/// file:// as well as from a static site.
///
/// For tests and browsers alike every chart is an `<svg class="chart">` and every data mark (point,
/// bar, cell) carries `class="mark"` and a `<title>` tooltip, so marks can be counted in the DOM.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/util/html.hpp"

namespace fhops::svg {

/// An axis: a title, and either categories (value i sits at categories[i]) or a numeric range taken
/// from the data unless `min`/`max` fix it.
struct axis {
  std::string title;
  std::vector<std::string> categories;  ///< non-empty: a category axis
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
};

/// A data point; on a category axis x is the category's index. NaN coordinates are skipped.
struct point {
  double x = 0.0;
  double y = 0.0;
};

/// A named line of points, in drawing order.
struct series {
  std::string name;
  std::vector<point> points;
};

/// Line chart with point marks.
struct line_chart {
  std::string title;
  axis x;
  axis y;
  std::vector<svg::series> series;
  std::vector<std::string> colour_domain;  ///< names in colour order, shared by facets; empty = series order
  bool lines = true;
  bool markers = true;
  /// With y.min/max unset: positive values spanning more than 3 decades get a log axis; otherwise,
  /// when the full range is over 4× the 2nd–98th percentile range (one value dwarfing the rest), the
  /// axis shows that robust range and the points beyond it sit on its edge, marked as clipped.
  bool robust_y = true;
  int width = 480;
  int height = 300;
};

/// One bar per category.
struct bar_series {
  std::string name;
  std::vector<double> values;  ///< values[i] belongs to x.categories[i]; NaN = no bar
};

/// Grouped bar chart: categories along x, one bar per series in each group.
struct bar_chart {
  std::string title;
  axis x;  ///< categories required
  axis y;
  std::vector<bar_series> series;
  std::vector<std::string> colour_domain;
  int width = 480;
  int height = 300;
};

/// Samples to bin: one overlaid histogram per named sample, all on the same bin edges.
struct histogram {
  std::string title;
  std::string x_title;
  std::string y_title = "count";
  std::vector<std::pair<std::string, std::vector<double>>> samples;
  std::vector<std::string> colour_domain;
  int bins = 20;
  int width = 480;
  int height = 300;
};

/// Matrix of values: rows along y, columns along x, coloured on a sequential scale.
struct heatmap {
  std::string title;
  axis x;  ///< column categories
  axis y;  ///< row categories
  std::vector<std::vector<double>> values;  ///< values[row][column]; NaN = empty cell
  std::string value_title;
  int width = 520;
  int height = 320;
};

/// Evenly spaced "nice" tick values covering [lo, hi] (steps 1, 2, 2.5 or 5 × 10^k).
struct ticks {
  double lo = 0.0;
  double hi = 1.0;
  double step = 1.0;
  int decimals = 0;
  std::vector<double> values;
  bool log10 = false;  ///< lo, hi and values are powers of ten (exponents), labelled 1e<k>
};

inline ticks nice_ticks(double lo, double hi, int target = 5) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0.0, hi = 1.0;
  if (lo > hi) std::swap(lo, hi);
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
    const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, target - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag * 10.0;
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag * (1.0 + 1e-9)) {
      step = m * mag;
      break;
    }
  ticks t;
  t.step = step;
  t.lo = std::floor(lo / step + 1e-9) * step;
  t.hi = std::ceil(hi / step - 1e-9) * step;
  // Decimals: enough to tell ticks apart (2.5 × 10^k needs one more than 10^k).
  t.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  if (std::abs(std::round(step / std::pow(10.0, -t.decimals)) * std::pow(10.0, -t.decimals) - step) > 1e-9 * step) ++t.decimals;
  for (int i = 0;; ++i) {
    const double v = t.lo + i * step;
    if (v > t.hi + step * 1e-6) break;
    t.values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return t;
}

namespace detail {

inline constexpr std::string_view palette[] = {"#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b",
                                               "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"};

inline std::string_view colour(const std::vector<std::string>& domain, const std::string& name, std::size_t fallback) {
  const auto it = std::find(domain.begin(), domain.end(), name);
  const std::size_t i = it == domain.end() ? fallback : static_cast<std::size_t>(it - domain.begin());
  return palette[i % std::size(palette)];
}

/// A number as the tick label or tooltip shows it.
inline std::string label(double v, int decimals) {
  if (std::abs(v) >= 1e7) return fmt::format("{:.3g}", v);
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s == "-0" || s.rfind("-0.", 0) == 0) {
    bool zero = true;
    for (const char c : s) zero = zero && (c == '-' || c == '0' || c == '.');
    if (zero) s.erase(0, 1);
  }
  return s;
}

inline std::string value_text(double v) {
  if (std::abs(v) >= 1e7 || (v != 0.0 && std::abs(v) < 1e-3)) return fmt::format("{:.4g}", v);
  return label(v, std::abs(v - std::round(v)) < 1e-9 ? 0 : 3);
}

inline std::string num(double v) { return label(v, 1); }

/// A tick's label: the number, or 1e<k> on a log axis.
inline std::string tick_label(const ticks& t, double v) {
  if (!t.log10) return label(v, t.decimals);
  const auto k = static_cast<long long>(std::llround(v));
  return k == 0 ? "1" : k == 1 ? "10" : k == 2 ? "100" : fmt::format("1e{}", k);
}

/// Ticks at powers of ten covering [lo, hi] (both > 0), at most about 8 of them.
inline ticks log_ticks(double lo, double hi) {
  ticks t;
  t.log10 = true;
  t.lo = std::floor(std::log10(lo));
  t.hi = std::max(t.lo + 1, std::ceil(std::log10(hi)));
  t.step = std::max(1.0, std::ceil((t.hi - t.lo) / 8.0));
  for (double v = t.lo; v <= t.hi + 1e-9; v += t.step) t.values.push_back(v);
  return t;
}

/// The q-quantile (0..1) of sorted values, linearly interpolated.
inline double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(pos));
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (pos - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

/// Width in pixels of `text` at 11 px sans-serif, roughly.
inline double text_width(std::string_view text) { return 6.2 * static_cast<double>(text.size()); }

/// The plot frame shared by the chart kinds: margins, scales, axes, gridlines and legend.
struct frame {
  int width = 0, height = 0;
  double left = 0, right = 0, top = 0, bottom = 0;  // plot area in pixels
  std::vector<std::string> x_categories;
  ticks xt, yt;
  bool rotate_x = false;
  std::size_t x_label_every = 1;  // every how many x ticks a label is drawn, so labels never overlap
  std::string y_note;             // e.g. "log scale" or the clipping, drawn under the title
  std::vector<std::pair<std::string, std::string>> legend;  // name, colour

  double px(double v) const {
    if (!x_categories.empty())
      return left + (v + 0.5) * (right - left) / static_cast<double>(x_categories.size());
    return left + (v - xt.lo) / (xt.hi - xt.lo) * (right - left);
  }
  double py(double v) const { return py_tick(yt.log10 ? std::log10(v) : v); }
  /// A y tick's position (an exponent on a log axis).
  double py_tick(double v) const { return bottom - (v - yt.lo) / (yt.hi - yt.lo) * (bottom - top); }
  double band() const { return (right - left) / static_cast<double>(std::max<std::size_t>(1, x_categories.size())); }
};

inline void widen(double& lo, double& hi, double v) {
  if (!std::isfinite(v)) return;
  lo = std::min(lo, v);
  hi = std::max(hi, v);
}

inline ticks axis_ticks(const axis& a, double lo, double hi, bool include_zero) {
  if (!std::isnan(a.min)) lo = a.min;
  if (!std::isnan(a.max)) hi = a.max;
  if (!(lo <= hi)) lo = 0.0, hi = 1.0;
  if (include_zero) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  ticks t = nice_ticks(lo, hi);
  if (!std::isnan(a.min)) t.lo = a.min;
  if (!std::isnan(a.max)) t.hi = a.max;
  std::erase_if(t.values, [&](double v) { return v < t.lo - 1e-9 * t.step || v > t.hi + 1e-9 * t.step; });
  return t;
}

/// Lays out the frame for a chart of `width`×`height` with a title, the axes and legend entries.
inline frame layout(int width, int height, const axis& x, const ticks& xt, const ticks& yt,
                    std::vector<std::pair<std::string, std::string>> legend) {
  if (width < 120 || height < 100) throw std::invalid_argument("svg chart: width/height must be at least 120×100 pixels");
  frame f;
  f.width = width;
  f.height = height;
  f.x_categories = x.categories;
  f.xt = xt;
  f.yt = yt;
  f.legend = std::move(legend);
  double y_label = 0;
  for (const double v : yt.values) y_label = std::max(y_label, text_width(tick_label(yt, v)));
  f.left = 18 + y_label + 12;
  double legend_w = 0;
  if (f.legend.size() > 1 || (f.legend.size() == 1 && !f.legend[0].first.empty()))
    for (const auto& [name, c] : f.legend) legend_w = std::max(legend_w, std::min(170.0, 22 + text_width(name)));
  f.right = width - 12 - (legend_w > 0 ? legend_w + 10 : 0);
  f.top = 30;
  double x_label = 0;
  for (const auto& c : x.categories) x_label = std::max(x_label, text_width(c));
  const double slot = x.categories.empty() ? 1e9 : (f.right - f.left) / static_cast<double>(x.categories.size());
  // Labels that do not fit their slot are slanted, unless short (they are thinned out instead).
  f.rotate_x = x_label > slot - 4 && x_label > 40;
  // Thin the labels: horizontal ones need their width, slanted ones about a line's height apart.
  if (!x.categories.empty())
    f.x_label_every = static_cast<std::size_t>(std::max(1.0, std::ceil((f.rotate_x ? 16.0 : x_label + 4) / slot)));
  else if (xt.values.size() > 1) {
    double widest = 0;
    for (const double v : xt.values) widest = std::max(widest, text_width(label(v, xt.decimals)));
    const double spacing = (f.right - f.left) / static_cast<double>(xt.values.size() - 1);
    f.x_label_every = static_cast<std::size_t>(std::max(1.0, std::ceil((widest + 8) / spacing)));
  }
  f.bottom = height - 40 - (f.rotate_x ? std::min(90.0, x_label * 0.72) : 0.0);
  if (f.right - f.left < 40 || f.bottom - f.top < 40)
    throw std::invalid_argument("svg chart: too small for its labels; make width/height larger");
  return f;
}

inline std::string open(const frame& f, const std::string& title) {
  std::string out = fmt::format(
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "role=\"img\" aria-label=\"{2}\" font-family=\"sans-serif\" font-size=\"11\">\n",
      f.width, f.height, html::escape(title));
  out += fmt::format("<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{}</text>\n",
                     num(f.width / 2.0), html::escape(title));
  return out;
}

/// Gridlines, tick labels, axis lines and axis titles.
inline std::string axes(const frame& f, const axis& x, const axis& y) {
  std::string out = "<g class=\"axes\" stroke=\"#888\">\n";
  for (const double v : f.yt.values) {
    const double yy = f.py_tick(v);
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e6e6e6\"/>\n", num(f.left), num(yy), num(f.right), num(yy));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">{}</text>\n", num(f.left - 5),
                       num(yy + 4), tick_label(f.yt, v));
  }
  if (!f.x_categories.empty()) {
    for (std::size_t i = 0; i < f.x_categories.size(); ++i) {
      const double xx = f.px(static_cast<double>(i));
      out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", num(xx), num(f.bottom), num(f.bottom + 4));
      if (i % f.x_label_every != 0) continue;
      const std::string text = html::escape(f.x_categories[i]);
      if (f.rotate_x)
        out += fmt::format("<text transform=\"translate({},{}) rotate(-40)\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">{}</text>\n",
                           num(xx + 3), num(f.bottom + 14), text);
      else
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">{}</text>\n", num(xx),
                           num(f.bottom + 16), text);
    }
  } else {
    for (std::size_t i = 0; i < f.xt.values.size(); ++i) {
      const double v = f.xt.values[i];
      const double xx = f.px(v);
      out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", num(xx), num(f.bottom), num(f.bottom + 4));
      if (i % f.x_label_every != 0) continue;
      out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">{}</text>\n", num(xx),
                         num(f.bottom + 16), label(v, f.xt.decimals));
    }
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", num(f.left), num(f.top), num(f.bottom));
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>\n", num(f.left), num(f.bottom), num(f.right));
  out += "</g>\n";
  out += fmt::format("<text class=\"x-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n",
                     num((f.left + f.right) / 2), f.height - 8, html::escape(x.title));
  out += fmt::format("<text class=\"y-title\" transform=\"translate(13,{}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n",
                     num((f.top + f.bottom) / 2), html::escape(y.title));
  if (!f.y_note.empty())
    out += fmt::format("<text class=\"y-note\" x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#666\">{}</text>\n", num(f.left + 4),
                       num(f.top - 4), html::escape(f.y_note));
  return out;
}

inline std::string legend(const frame& f) {
  if (f.legend.empty() || (f.legend.size() == 1 && f.legend[0].first.empty())) return {};
  std::string out = "<g class=\"legend\">\n";
  double y = f.top + 4;
  for (const auto& [name, c] : f.legend) {
    out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>", num(f.right + 12), num(y), c);
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", num(f.right + 28), num(y + 10), html::escape(name));
    y += 18;
  }
  return out + "</g>\n";
}

inline std::string no_data(const frame& f) {
  return fmt::format("<text class=\"no-data\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#999\">no data</text>\n",
                     num((f.left + f.right) / 2), num((f.top + f.bottom) / 2));
}

inline std::string x_text(const axis& x, double v) {
  if (!x.categories.empty()) {
    const auto i = static_cast<std::size_t>(std::llround(v));
    return i < x.categories.size() ? x.categories[i] : value_text(v);
  }
  return value_text(v);
}

}  // namespace detail

/// The line chart as an <svg> element.
inline std::string render(const line_chart& c) {
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  bool any = false;
  for (const auto& s : c.series)
    for (const auto& p : s.points)
      if (std::isfinite(p.x) && std::isfinite(p.y)) {
        detail::widen(xlo, xhi, p.x);
        detail::widen(ylo, yhi, p.y);
        any = true;
      }
  if (!c.x.categories.empty()) xlo = 0, xhi = static_cast<double>(c.x.categories.size() - 1);
  std::vector<std::pair<std::string, std::string>> legend;
  for (std::size_t i = 0; i < c.series.size(); ++i)
    legend.emplace_back(c.series[i].name, std::string(detail::colour(c.colour_domain, c.series[i].name, i)));
  // A log axis or a clipped range when one value would flatten the rest (see robust_y).
  ticks yt;
  std::string note;
  double clip_lo = -std::numeric_limits<double>::infinity(), clip_hi = -clip_lo;
  std::vector<double> ys;
  if (c.robust_y && any && std::isnan(c.y.min) && std::isnan(c.y.max))
    for (const auto& s : c.series)
      for (const auto& p : s.points)
        if (std::isfinite(p.x) && std::isfinite(p.y)) ys.push_back(p.y);
  std::sort(ys.begin(), ys.end());
  if (ys.size() >= 2 && ys.front() > 0.0 && ys.back() / ys.front() > 1e3) {
    yt = detail::log_ticks(ys.front(), ys.back());
    note = "log scale";
  } else if (ys.size() >= 5) {
    const double q_lo = detail::quantile(ys, 0.02), q_hi = detail::quantile(ys, 0.98);
    if (q_hi > q_lo && yhi - ylo > 4.0 * (q_hi - q_lo)) {
      const double pad = 0.05 * (q_hi - q_lo);
      const bool low = ys.front() < q_lo - pad, high = ys.back() > q_hi + pad;
      yt = detail::axis_ticks(c.y, low ? q_lo - pad : ys.front(), high ? q_hi + pad : ys.back(), false);
      if (low) clip_lo = yt.lo;  // the points beyond sit on the axis' edge
      if (high) clip_hi = yt.hi;
      note = "y clipped to the 2nd–98th percentile range; hollow marks on the edge are beyond it";
    }
  }
  if (note.empty()) yt = detail::axis_ticks(c.y, ylo, yhi, false);
  auto f = detail::layout(c.width, c.height, c.x, detail::axis_ticks(c.x, xlo, xhi, false), yt, legend);
  f.y_note = note;
  const auto clipped = [&](double y) { return y < clip_lo ? clip_lo : y > clip_hi ? clip_hi : y; };
  std::string out = detail::open(f, c.title) + detail::axes(f, c.x, c.y);
  if (!any) out += detail::no_data(f);
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    const std::string& colour = legend[i].second;
    out += fmt::format("<g class=\"series\" data-name=\"{}\">\n", html::escape(s.name));
    if (c.lines) {
      std::string d;
      bool pen = false;
      for (const auto& p : s.points) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
          pen = false;
          continue;
        }
        d += fmt::format("{}{},{}", pen ? "L" : "M", detail::num(f.px(p.x)), detail::num(f.py(clipped(p.y))));
        pen = true;
      }
      if (!d.empty()) out += fmt::format("<path class=\"line\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", d, colour);
    }
    if (c.markers)
      for (const auto& p : s.points) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
        const bool beyond = clipped(p.y) != p.y;
        out += fmt::format("<circle class=\"mark\"{} cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}{}: {}{}</title></circle>\n",
                           beyond ? fmt::format(" data-clipped=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"", p.y < clip_lo ? "low" : "high", colour)
                                  : std::string(),
                           detail::num(f.px(p.x)), detail::num(f.py(clipped(p.y))), beyond ? std::string("#fff") : colour,
                           s.name.empty() ? std::string() : html::escape(s.name) + ", ", html::escape(detail::x_text(c.x, p.x)),
                           detail::value_text(p.y), beyond ? " (beyond the axis)" : "");
      }
    out += "</g>\n";
  }
  return out + detail::legend(f) + "</svg>\n";
}

/// The grouped bar chart as an <svg> element.
inline std::string render(const bar_chart& c) {
  if (c.x.categories.empty()) throw std::invalid_argument("svg bar chart: x.categories must name the bars' groups");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  bool any = false;
  for (const auto& s : c.series) {
    if (s.values.size() > c.x.categories.size())
      throw std::invalid_argument("svg bar chart: series '" + s.name + "' has more values than x.categories");
    for (const double v : s.values)
      if (std::isfinite(v)) detail::widen(lo, hi, v), any = true;
  }
  std::vector<std::pair<std::string, std::string>> legend;
  for (std::size_t i = 0; i < c.series.size(); ++i)
    legend.emplace_back(c.series[i].name, std::string(detail::colour(c.colour_domain, c.series[i].name, i)));
  const auto f = detail::layout(c.width, c.height, c.x, ticks{}, detail::axis_ticks(c.y, lo, hi, true), legend);
  std::string out = detail::open(f, c.title) + detail::axes(f, c.x, c.y);
  if (!any) out += detail::no_data(f);
  const double group = f.band() * 0.8;
  const double bar = group / static_cast<double>(std::max<std::size_t>(1, c.series.size()));
  const double zero = f.py(std::clamp(0.0, f.yt.lo, f.yt.hi));
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    out += fmt::format("<g class=\"series\" data-name=\"{}\">\n", html::escape(s.name));
    for (std::size_t k = 0; k < s.values.size(); ++k) {
      const double v = s.values[k];
      if (!std::isfinite(v)) continue;
      const double x0 = f.px(static_cast<double>(k)) - group / 2 + bar * static_cast<double>(i);
      const double yv = f.py(v);
      out += fmt::format("<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}{}: {}</title></rect>\n",
                         detail::num(x0), detail::num(std::min(yv, zero)), detail::num(std::max(1.0, bar - 1)),
                         detail::num(std::max(0.5, std::abs(zero - yv))), legend[i].second,
                         s.name.empty() ? std::string() : html::escape(s.name) + ", ", html::escape(c.x.categories[k]),
                         detail::value_text(v));
    }
    out += "</g>\n";
  }
  return out + detail::legend(f) + "</svg>\n";
}

/// The histogram as an <svg> element: equal-width bins over all samples together, bars overlaid.
inline std::string render(const histogram& h) {
  if (h.bins < 1) throw std::invalid_argument("svg histogram: bins must be at least 1");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& [name, values] : h.samples)
    for (const double v : values) detail::widen(lo, hi, v);
  const bool any = lo <= hi;
  if (!any) lo = 0, hi = 1;
  if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
  const double width = (hi - lo) / h.bins;
  std::vector<std::vector<int>> counts;
  int top = 0;
  for (const auto& [name, values] : h.samples) {
    std::vector<int> c(static_cast<std::size_t>(h.bins), 0);
    for (const double v : values) {
      if (!std::isfinite(v)) continue;
      const auto b = std::min<std::size_t>(static_cast<std::size_t>((v - lo) / width), c.size() - 1);
      top = std::max(top, ++c[b]);
    }
    counts.push_back(std::move(c));
  }
  std::vector<std::pair<std::string, std::string>> legend;
  for (std::size_t i = 0; i < h.samples.size(); ++i)
    legend.emplace_back(h.samples[i].first, std::string(detail::colour(h.colour_domain, h.samples[i].first, i)));
  axis xa{h.x_title, {}, lo, hi};
  axis ya{h.y_title, {}, 0.0, std::numeric_limits<double>::quiet_NaN()};
  ticks xt = nice_ticks(lo, hi);
  xt.lo = lo, xt.hi = hi;
  std::erase_if(xt.values, [&](double v) { return v < lo - 1e-9 * xt.step || v > hi + 1e-9 * xt.step; });
  ticks yt = nice_ticks(0, std::max(1, top));
  yt.decimals = 0;
  std::erase_if(yt.values, [](double v) { return std::abs(v - std::round(v)) > 1e-9; });
  const auto f = detail::layout(h.width, h.height, xa, xt, yt, legend);
  std::string out = detail::open(f, h.title) + detail::axes(f, xa, ya);
  if (!any) out += detail::no_data(f);
  const double opacity = h.samples.size() > 1 ? 0.55 : 0.9;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out += fmt::format("<g class=\"series\" data-name=\"{}\" fill-opacity=\"{}\">\n", html::escape(h.samples[i].first), opacity);
    for (std::size_t b = 0; b < counts[i].size(); ++b) {
      if (counts[i][b] == 0) continue;
      const double a = lo + width * static_cast<double>(b);
      const double x0 = f.px(a), x1 = f.px(a + width), y = f.py(counts[i][b]);
      out += fmt::format(
          "<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}[{}, {}): {}</title></rect>\n",
          detail::num(x0 + 0.5), detail::num(y), detail::num(std::max(0.5, x1 - x0 - 1)), detail::num(f.bottom - y), legend[i].second,
          h.samples[i].first.empty() ? std::string() : html::escape(h.samples[i].first) + " ", detail::value_text(a),
          detail::value_text(a + width), counts[i][b]);
    }
    out += "</g>\n";
  }
  return out + detail::legend(f) + "</svg>\n";
}

namespace detail {

/// Viridis at t ∈ [0, 1], interpolated between five stops.
inline std::string viridis(double t) {
  static constexpr std::uint8_t stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(t));
  const double u = t - i;
  int rgb[3];
  for (int k = 0; k < 3; ++k) rgb[k] = static_cast<int>(std::lround(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * u));
  return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

}  // namespace detail

/// The heatmap as an <svg> element, with a colour scale in place of the legend.
inline std::string render(const heatmap& h) {
  if (h.x.categories.empty() || h.y.categories.empty())
    throw std::invalid_argument("svg heatmap: x.categories and y.categories must name the columns and rows");
  if (h.values.size() != h.y.categories.size())
    throw std::invalid_argument("svg heatmap: values must have one row per y category");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& row : h.values) {
    if (row.size() != h.x.categories.size()) throw std::invalid_argument("svg heatmap: every row must have one value per x category");
    for (const double v : row) detail::widen(lo, hi, v);
  }
  if (!std::isnan(h.y.min)) lo = h.y.min;
  if (!std::isnan(h.y.max)) hi = h.y.max;
  const bool any = lo <= hi;
  // Row labels take the place of the y tick labels; the colour scale takes the legend's.
  ticks yt;
  yt.lo = 0, yt.hi = static_cast<double>(h.y.categories.size());
  std::vector<std::pair<std::string, std::string>> legend{{h.value_title.empty() ? "value" : h.value_title, ""},
                                                          {"", ""}};
  auto f = detail::layout(h.width, h.height, h.x, ticks{}, yt, legend);
  double row_label = 0;
  for (const auto& r : h.y.categories) row_label = std::max(row_label, detail::text_width(r));
  f.left = 18 + row_label + 12;
  f.right = std::min<double>(f.right, h.width - 100);
  std::string out = detail::open(f, h.title);
  const double cell_h = (f.bottom - f.top) / static_cast<double>(h.y.categories.size());
  for (std::size_t r = 0; r < h.y.categories.size(); ++r)
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", detail::num(f.left - 5),
                       detail::num(f.top + cell_h * (r + 0.5) + 4), html::escape(h.y.categories[r]));
  f.yt.values.clear();
  out += detail::axes(f, h.x, h.y);
  if (!any) out += detail::no_data(f);
  const double span = hi - lo > 1e-12 ? hi - lo : 1.0;
  out += "<g class=\"cells\">\n";
  for (std::size_t r = 0; r < h.values.size(); ++r)
    for (std::size_t k = 0; k < h.values[r].size(); ++k) {
      const double v = h.values[r][k];
      if (!std::isfinite(v)) continue;
      out += fmt::format("<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}, {}: {}</title></rect>\n",
                         detail::num(f.left + f.band() * k), detail::num(f.top + cell_h * r), detail::num(f.band()), detail::num(cell_h),
                         detail::viridis((v - lo) / span), html::escape(h.y.categories[r]), html::escape(h.x.categories[k]),
                         detail::value_text(v));
    }
  out += "</g>\n";
  if (any) {  // colour scale: ten steps, low at the bottom
    const double x = f.right + 16, y0 = f.top + 18, step = std::min(16.0, (f.bottom - f.top - 40) / 10.0);
    out += fmt::format("<g class=\"scale\"><text x=\"{}\" y=\"{}\">{}</text>\n", detail::num(x), detail::num(f.top + 8),
                       html::escape(h.value_title.empty() ? "value" : h.value_title));
    for (int i = 0; i < 10; ++i)
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"{}\" fill=\"{}\"/>\n", detail::num(x),
                         detail::num(y0 + step * (9 - i)), detail::num(step + 0.5), detail::viridis((i + 0.5) / 10.0));
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", detail::num(x + 18), detail::num(y0 + 9), detail::value_text(hi));
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n</g>\n", detail::num(x + 18), detail::num(y0 + step * 10), detail::value_text(lo));
  }
  return out + "</svg>\n";
}

/// A facet grid: one titled panel per chart, wrapping as the page width allows.
inline std::string facets(const std::vector<std::pair<std::string, std::string>>& panels) {
  std::string out = "<div class=\"charts\">\n";
  for (const auto& [title, chart] : panels) {
    out += "<figure class=\"facet\">\n";
    if (!title.empty()) out += "<figcaption>" + html::escape(title) + "</figcaption>\n";
    out += chart;
    out += "</figure>\n";
  }
  return out + "</div>\n";
}

}  // namespace fhops::svg
