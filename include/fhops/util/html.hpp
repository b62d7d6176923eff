/// \file
/// HTML text helpers shared by the generated pages: escaping and a self-contained page (inline
/// CSS, no scripts, no network) that opens from file:// and from a static site alike.
#pragma once

#include <string>
#include <string_view>

namespace fhops::html {

/// `text` with &, <, >, " and ' escaped: safe in element content and in quoted attributes.
inline std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

/// The house style sheet of generated pages: readable tables, chart grids, status badges.
inline constexpr std::string_view page_css =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:2em auto;"
    "max-width:1200px;padding:0 1em;color:#222;line-height:1.45}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em}\n"
    ".subtitle{color:#666;margin-top:0}\n"
    "table{border-collapse:collapse;margin:1em 0;font-size:.92em}\n"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f3f3f3}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}\n"
    ".facet{margin:0;border:1px solid #eee;border-radius:4px;padding:.3em}\n"
    ".facet figcaption{font-weight:600;text-align:center;margin:.2em 0}\n"
    "svg.chart{max-width:100%;height:auto;background:#fff}\n"
    ".ok{color:#1a7f37}.error,.timeout{color:#cf222e}\n"
    "nav a{margin-right:1em}\n";

/// A complete HTML5 document: `title` in <title> and <h1>, an optional subtitle line, then `body`
/// (already HTML) and the house style sheet inline.
inline std::string page(std::string_view title, std::string_view body, std::string_view subtitle = {}) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += escape(title);
  out += "</title>\n<style>\n";
  out += page_css;
  out += "</style>\n</head>\n<body>\n<h1>";
  out += escape(title);
  out += "</h1>\n";
  if (!subtitle.empty()) {
    out += "<p class=\"subtitle\">";
    out += escape(subtitle);
    out += "</p>\n";
  }
  out += body;
  out += "\n</body>\n</html>\n";
  return out;
}

}  // namespace fhops::html
