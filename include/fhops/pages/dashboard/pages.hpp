/// \file
/// The dashboard's HTML: a server-rendered shell per page (house style sheet, navigation) with a
/// small inline script that fetches the JSON API and polls it about once a second, so runs in
/// progress appear and their convergence charts grow. No external resource is referenced (no
/// CDN, no font, no image): the pages work without a network. The comparison page is rendered
/// entirely on the server (box plots in inline SVG).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fhops/pages/svg_chart.hpp"
#include "fhops/util/html.hpp"

namespace fhops::pages::dashboard {

/// The Content-Security-Policy of every page: inline script and style only, fetches to this
/// server only, nothing else loaded.
inline constexpr std::string_view page_csp =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:;"
    " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The dashboard's additions to the house style sheet.
inline constexpr std::string_view dashboard_css =
    "form.filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:end}form.filters label{display:flex;flex-direction:column;"
    "font-size:.85em;color:#555}\n"
    "th[data-sort]{cursor:pointer;user-select:none}th[data-sort]:hover{background:#e6e6e6}\n"
    "th.sorted-asc::after{content:' \\25B2'}th.sorted-desc::after{content:' \\25BC'}\n"
    "tr.running td{background:#fff8e1}.running{color:#9a6700}.unfinished{color:#888}\n"
    ".banner{padding:.6em 1em;border:1px solid #cf222e;background:#fff0f0;color:#82071e;border-radius:4px}\n"
    ".pager{display:flex;gap:1em;align-items:center}.muted{color:#666}\n"
    "code{font-size:.9em}td.json{font-family:monospace;font-size:.85em;white-space:pre-wrap;max-width:60em}\n"
    ".grid{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}\n";

/// A complete page: `title`, the navigation, `body` (HTML) and `script` (JavaScript, inline).
/// `refresh_seconds` > 0 adds a meta refresh (the store-unavailable page retries by itself).
inline std::string page_shell(std::string_view title, std::string_view body, std::string_view script = {}, int refresh_seconds = 0) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  if (refresh_seconds > 0) out += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(refresh_seconds) + "\">\n";
  out += "<title>" + html::escape(title) + " — fhops telemetry</title>\n<style>\n";
  out += html::page_css;
  out += dashboard_css;
  out += "</style>\n</head>\n<body>\n<nav><a href=\"/\">Runs</a><a href=\"/compare\">Compare</a><a href=\"/report\">Report</a><a href=\"/tuning\">Tuning</a><a href=\"/history\">History</a></nav>\n<h1>";
  out += html::escape(title);
  out += "</h1>\n";
  out += body;
  if (!script.empty()) {
    out += "\n<script>\n";
    out += script;
    out += "\n</script>";
  }
  out += "\n</body>\n</html>\n";
  return out;
}

/// The page of a store that cannot be read: the reason, and a retry every 5 s.
inline std::string unavailable_page(std::string_view store, std::string_view message) {
  return page_shell("Telemetry store unavailable",
                    "<p class=\"banner\" id=\"unavailable\">" + html::escape(message) + "</p>\n<p class=\"muted\">Store: <code>" +
                        html::escape(store) + "</code>. This page retries every 5 seconds.</p>",
                    {}, 5);
}

/// A page for a 4xx answer.
inline std::string error_page(unsigned status, std::string_view message) {
  return page_shell(std::to_string(status) + (status == 404 ? " Not found" : " Bad request"),
                    "<p class=\"banner\">" + html::escape(message) + "</p>");
}

namespace detail {

// Shared by the pages' scripts: element helpers, number format, the error banner.
inline constexpr std::string_view common_js = R"JS(
const $ = s => document.querySelector(s);
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = text; if (cls) e.className = cls; return e; }
function fmtNum(v) { if (v === null || v === undefined) return '\u2014'; if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v); const a = Math.abs(v); return (a >= 1e7 || (a > 0 && a < 1e-3)) ? v.toExponential(4) : v.toFixed(3); }
function banner(msg) { const b = $('#error'); if (!b) return; b.hidden = !msg; b.textContent = msg || ''; }
async function getJSON(url) { const r = await fetch(url, {cache: 'no-store'}); const j = await r.json(); if (!r.ok) throw new Error(j.error || r.statusText); return j; }
)JS";

inline constexpr std::string_view index_js = R"JS(
const state = {sort: 'started_at', order: 'desc', page: 1, pages: 1};
function query() {
  const p = new URLSearchParams();
  for (const [k, v] of new FormData($('#filters'))) if (v) p.set(k, v);
  p.set('sort', state.sort); p.set('order', state.order); p.set('page', state.page);
  return p;
}
function row(x, live) {
  const tr = el('tr', null, live ? 'running' : '');
  tr.dataset.run = x.run_id;
  const a = el('a', (x.run_id.length > 12 ? '\u2026' : '') + x.run_id.slice(-12)); a.href = '/run/' + encodeURIComponent(x.run_id); a.title = x.run_id;
  const id = el('td'); id.appendChild(a); tr.appendChild(id);
  const cells = live ? [x.updated_at, null, null, x.status, x.best, 'step ' + x.steps, null]
                     : [x.started_at, x.scenario, x.algorithm, x.status, x.objective, x.duration_seconds, x.seed];
  cells.forEach((v, i) => tr.appendChild(el('td', fmtNum(v), (i === 3 ? String(v) : '') + (i >= 4 ? ' n' : ''))));
  return tr;
}
function render(j) {
  const tb = $('#runs tbody'); tb.replaceChildren();
  for (const x of j.running) tb.appendChild(row(x, true));
  for (const x of j.runs) tb.appendChild(row(x, false));
  state.pages = j.pages;
  $('#total').textContent = j.total; $('#live').textContent = j.running.filter(r => r.status === 'running').length;
  $('#pageinfo').textContent = 'page ' + j.page + ' of ' + j.pages;
  $('#prev').disabled = j.page <= 1; $('#next').disabled = j.page >= j.pages;
  document.querySelectorAll('th[data-sort]').forEach(th => th.className = th.dataset.sort === state.sort ? 'sorted-' + state.order : '');
}
let busy = false;
async function refresh() {
  if (busy) return; busy = true;
  try { const p = query(); history.replaceState(null, '', '?' + p); render(await getJSON('/api/runs?' + p)); banner(''); }
  catch (e) { banner(String(e.message || e)); } finally { busy = false; }
}
function load() {
  const u = new URLSearchParams(location.search);
  for (const k of ['scenario', 'algorithm', 'status', 'from', 'to', 'per_page']) if (u.get(k) && $('#f-' + k)) $('#f-' + k).value = u.get(k);
  if (u.get('sort')) state.sort = u.get('sort'); if (u.get('order')) state.order = u.get('order'); if (u.get('page')) state.page = Number(u.get('page')) || 1;
}
document.querySelectorAll('th[data-sort]').forEach(th => th.onclick = () => {
  if (state.sort === th.dataset.sort) state.order = state.order === 'desc' ? 'asc' : 'desc'; else { state.sort = th.dataset.sort; state.order = 'desc'; }
  state.page = 1; refresh();
});
$('#filters').onsubmit = e => { e.preventDefault(); state.page = 1; refresh(); };
$('#prev').onclick = () => { if (state.page > 1) { state.page--; refresh(); } };
$('#next').onclick = () => { if (state.page < state.pages) { state.page++; refresh(); } };
getJSON('/api/facets').then(f => {
  for (const [list, values] of [['scenarios', f.scenarios], ['algorithms', f.algorithms], ['statuses', f.statuses.concat(['running', 'unfinished'])]])
    for (const v of values) { const o = el('option'); o.value = v; $('#' + list).appendChild(o); }
}).catch(() => {});
load(); refresh(); setInterval(refresh, 1000);
)JS";

inline constexpr std::string_view run_js = R"JS(
const runId = document.body.dataset.run;
const S = [], O = [], B = [];
let after = 0, offset = 0, gap = 0, finished = false, meta = null, timer = null;
const MAX_POINTS = 20000;
// Keeps every other point (the newest always) and asks the server for half as many from now on.
function thin() {
  const n = S.length;
  for (const a of [S, O, B]) { const kept = a.filter((_, i) => i % 2 === 0); if ((n - 1) % 2) kept.push(a[n - 1]); a.splice(0, a.length, ...kept); }
  gap = Math.max(gap * 2, Math.ceil((S[S.length - 1] - S[0]) / (MAX_POINTS / 2)));
}
function kv(table, obj) {
  table.replaceChildren();
  for (const [k, v] of Object.entries(obj || {})) {
    const tr = el('tr'); tr.appendChild(el('th', k));
    const isObj = v !== null && typeof v === 'object';
    tr.appendChild(el('td', isObj ? JSON.stringify(v, null, 1) : fmtNum(v), isObj ? 'json' : (typeof v === 'number' ? 'n' : '')));
    table.appendChild(tr);
  }
  if (!table.children.length) { const tr = el('tr'); tr.appendChild(el('td', 'none', 'muted')); table.appendChild(tr); }
}
function renderMeta(m) {
  const fields = m.live ? {status: m.status, steps: m.steps, best: m.best, current: m.objective, updated_at: m.updated_at}
    : {algorithm: m.algorithm, solver: m.solver, scenario: m.scenario, status: m.status, seed: m.seed, objective: m.objective,
       started_at: m.started_at, finished_at: m.finished_at, duration_seconds: m.duration_seconds, error: m.error};
  kv($('#summary'), fields);
  $('#state').textContent = m.live ? m.status : 'finished (' + m.status + ')';
  $('#state').className = m.live ? m.status : String(m.status);
  if (!m.live) { kv($('#config'), m.config); kv($('#metrics'), m.metrics); kv($('#kpis'), m.kpis); kv($('#context'), m.context); }
}
const NS = 'http://www.w3.org/2000/svg';
function svgEl(tag, attrs, text) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; return e; }
function ticks(lo, hi, n) {
  if (!(hi > lo)) { hi = lo + 1; lo = lo - 1; }
  const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(f => f * mag).find(s => s >= raw);
  const out = []; for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v); return out;
}
function draw() {
  const svg = $('#chart'); svg.replaceChildren();
  const W = 760, H = 380, L = 70, R = 20, T = 20, Bm = 45;
  if (!S.length) { svg.appendChild(svgEl('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'no-data'}, finished ? 'no step log for this run' : 'waiting for steps\u2026')); return; }
  let ylo = Math.min(Math.min(...O), Math.min(...B)), yhi = Math.max(Math.max(...O), Math.max(...B));
  if (ylo === yhi) { ylo -= 1; yhi += 1; }
  const xlo = S[0], xhi = Math.max(S[S.length - 1], xlo + 1);
  const X = v => L + (v - xlo) / (xhi - xlo) * (W - L - R), Y = v => H - Bm - (v - ylo) / (yhi - ylo) * (H - T - Bm);
  for (const t of ticks(ylo, yhi, 5)) { svg.appendChild(svgEl('line', {x1: L, x2: W - R, y1: Y(t), y2: Y(t), stroke: '#eee'}));
    svg.appendChild(svgEl('text', {x: L - 6, y: Y(t) + 4, 'text-anchor': 'end', 'font-size': 11}, fmtNum(t))); }
  for (const t of ticks(xlo, xhi, 6)) svg.appendChild(svgEl('text', {x: X(t), y: H - Bm + 16, 'text-anchor': 'middle', 'font-size': 11}, fmtNum(t)));
  svg.appendChild(svgEl('line', {x1: L, x2: W - R, y1: H - Bm, y2: H - Bm, stroke: '#333'}));
  svg.appendChild(svgEl('line', {x1: L, x2: L, y1: T, y2: H - Bm, stroke: '#333'}));
  svg.appendChild(svgEl('text', {x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle', 'font-size': 12}, 'iteration'));
  svg.appendChild(svgEl('text', {x: 14, y: (T + H - Bm) / 2, 'text-anchor': 'middle', 'font-size': 12, transform: 'rotate(-90 14 ' + (T + H - Bm) / 2 + ')'}, 'objective'));
  const every = Math.max(1, Math.ceil(S.length / 1500));
  for (const [vals, colour, name] of [[O, '#f58518', 'current'], [B, '#4c78a8', 'best']]) {
    let pts = ''; for (let i = 0; i < S.length; i += every) pts += X(S[i]).toFixed(1) + ',' + Y(vals[i]).toFixed(1) + ' ';
    pts += X(S[S.length - 1]).toFixed(1) + ',' + Y(vals[S.length - 1]).toFixed(1);
    svg.appendChild(svgEl('polyline', {points: pts, fill: 'none', stroke: colour, 'stroke-width': 1.5, class: 'series series-' + name}));
  }
  const marks = Math.max(1, Math.ceil(S.length / 60));
  for (let i = 0; i < S.length; i += marks) {
    const c = svgEl('circle', {cx: X(S[i]).toFixed(1), cy: Y(B[i]).toFixed(1), r: 2.5, fill: '#4c78a8', class: 'mark'});
    c.appendChild(svgEl('title', {}, 'step ' + S[i] + ': best ' + fmtNum(B[i]) + ', current ' + fmtNum(O[i]))); svg.appendChild(c);
  }
  [['best', '#4c78a8'], ['current', '#f58518']].forEach(([n, c], k) => {
    svg.appendChild(svgEl('rect', {x: W - R - 150 + k * 75, y: T, width: 12, height: 3, fill: c}));
    svg.appendChild(svgEl('text', {x: W - R - 134 + k * 75, y: T + 5, 'font-size': 11}, n)); });
  $('#points').textContent = S.length + ' step records drawn' + (gap ? ' (one per ' + gap + ' steps)' : '') + ', last step ' + S[S.length - 1] + ', best ' + fmtNum(B[B.length - 1]);
}
async function loadSteps() {
  for (let round = 0; round < 50; ++round) {
    const j = await getJSON('/api/run/' + encodeURIComponent(runId) + '/steps?after=' + after + '&offset=' + offset + '&min_gap=' + gap);
    for (let i = 0; i < j.step.length; ++i) { S.push(j.step[i]); O.push(j.objective[i]); B.push(j.best[i]); }
    if (S.length > MAX_POINTS) thin();
    if (j.step.length) after = j.step[j.step.length - 1];
    offset = j.next_offset; finished = j.finished;
    if (!j.more) break;
  }
}
async function tick() {
  try {
    if (!meta || meta.live) { meta = await getJSON('/api/run/' + encodeURIComponent(runId)); renderMeta(meta); }
    await loadSteps(); draw(); banner('');
    if (finished && meta && !meta.live) { clearInterval(timer); }
  } catch (e) { banner(String(e.message || e)); }
}
tick(); timer = setInterval(tick, 1000);
)JS";

}  // namespace detail

/// The runs table: filters, sortable columns, pager; rows (runs in progress first) fetched from
/// /api/runs every second.
inline std::string index_page(std::string_view store) {
  std::string body = "<p class=\"subtitle\">Store <code>" + html::escape(store) +
                     "</code>: <span id=\"total\">0</span> recorded runs match, <span id=\"live\">0</span> running.</p>\n"
                     "<p class=\"banner\" id=\"error\" hidden></p>\n"
                     "<form class=\"filters\" id=\"filters\">\n"
                     "<label>scenario<input id=\"f-scenario\" name=\"scenario\" list=\"scenarios\"></label>\n"
                     "<label>algorithm<input id=\"f-algorithm\" name=\"algorithm\" list=\"algorithms\"></label>\n"
                     "<label>status<input id=\"f-status\" name=\"status\" list=\"statuses\" size=\"10\"></label>\n"
                     "<label>from<input id=\"f-from\" name=\"from\" type=\"date\"></label>\n"
                     "<label>to<input id=\"f-to\" name=\"to\" type=\"date\"></label>\n"
                     "<label>per page<select id=\"f-per_page\" name=\"per_page\"><option>25</option><option selected>50</option>"
                     "<option>100</option><option>250</option></select></label>\n"
                     "<button type=\"submit\">Filter</button></form>\n"
                     "<datalist id=\"scenarios\"></datalist><datalist id=\"algorithms\"></datalist><datalist id=\"statuses\"></datalist>\n"
                     "<table id=\"runs\"><thead><tr><th data-sort=\"run_id\">run</th><th data-sort=\"started_at\">started</th>"
                     "<th data-sort=\"scenario\">scenario</th><th data-sort=\"algorithm\">algorithm</th><th data-sort=\"status\">status</th>"
                     "<th data-sort=\"objective\">objective</th><th data-sort=\"duration\">duration (s)</th><th data-sort=\"seed\">seed</th>"
                     "</tr></thead><tbody></tbody></table>\n"
                     "<div class=\"pager\"><button id=\"prev\" type=\"button\">&larr; previous</button><span id=\"pageinfo\"></span>"
                     "<button id=\"next\" type=\"button\">next &rarr;</button></div>";
  return page_shell("Telemetry runs", body, std::string(detail::common_js) + std::string(detail::index_js));
}

/// One run: its state, summary, convergence chart (best and current objective against the
/// iteration, growing while the run is in progress), configuration, metrics, KPIs and context.
inline std::string run_page(std::string_view run_id) {
  const std::string id = html::escape(run_id);
  std::string body = "<p class=\"subtitle\">Run <code>" + id + "</code> — <span id=\"state\">loading</span></p>\n"
                     "<p class=\"banner\" id=\"error\" hidden></p>\n"
                     "<h2>Convergence</h2>\n<svg class=\"chart\" id=\"chart\" viewBox=\"0 0 760 380\" width=\"760\" height=\"380\" "
                     "role=\"img\" aria-label=\"objective against iteration\"></svg>\n<p class=\"muted\" id=\"points\"></p>\n"
                     "<div class=\"grid\"><div><h2>Run</h2><table id=\"summary\"></table></div>"
                     "<div><h2>Configuration</h2><table id=\"config\"></table></div></div>\n"
                     "<div class=\"grid\"><div><h2>Metrics</h2><table id=\"metrics\"></table></div>"
                     "<div><h2>KPIs</h2><table id=\"kpis\"></table></div></div>\n"
                     "<h2>Context</h2><table id=\"context\"></table>";
  std::string out = page_shell("Run \u2026" + std::string(run_id.substr(run_id.size() > 12 ? run_id.size() - 12 : 0)), body, std::string(detail::common_js) + std::string(detail::run_js));
  const std::string marker = "<body>";
  out.replace(out.find(marker), marker.size(), "<body data-run=\"" + id + "\">");
  return out;
}

/// The five-number summary and mean of a sample.
struct box_stats {
  std::size_t n = 0;
  double min = 0, q1 = 0, median = 0, q3 = 0, max = 0, mean = 0;
};

/// box_stats of `v` (linear interpolation between order statistics, as numpy's default).
inline box_stats summarise(std::vector<double> v) {
  box_stats s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const auto q = [&](double p) {
    const double at = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(at));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (at - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  s.min = v.front();
  s.max = v.back();
  s.q1 = q(0.25);
  s.median = q(0.5);
  s.q3 = q(0.75);
  double sum = 0;
  for (const double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

/// A box plot of named samples side by side (one box each: whiskers min–max, box q1–q3, median
/// line, mean dot), as an `<svg class="chart">` whose boxes are `class="mark"` with a tooltip.
inline std::string box_plot(std::string_view title, const std::vector<std::pair<std::string, std::vector<double>>>& samples) {
  const int W = 320, H = 260, L = 64, R = 12, T = 28, B = 40;
  std::vector<box_stats> st;
  double lo = 0, hi = 0;
  bool any = false;
  for (const auto& [name, v] : samples) {
    st.push_back(summarise(v));
    if (st.back().n == 0) continue;
    lo = any ? std::min(lo, st.back().min) : st.back().min;
    hi = any ? std::max(hi, st.back().max) : st.back().max;
    any = true;
  }
  std::string out = fmt::format("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" "
                                "height=\"{1}\" role=\"img\"><title>{2}</title>",
                                W, H, html::escape(title));
  out += fmt::format("<text x=\"{}\" y=\"16\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"600\">{}</text>", W / 2,
                     html::escape(title));
  if (!any) return out + fmt::format("<text class=\"no-data\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data</text></svg>", W / 2, H / 2);
  const svg::ticks t = svg::nice_ticks(lo, hi, 5);
  const double ylo = std::min(lo, t.lo), yhi = std::max(hi, t.hi) > ylo ? std::max(hi, t.hi) : ylo + 1;
  const auto Y = [&](double v) { return H - B - (v - ylo) / (yhi - ylo) * (H - T - B); };
  for (double v = t.lo; v <= t.hi + t.step * 1e-9; v += t.step) {
    out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#eee\"/>", L, W - R, Y(v), Y(v));
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" font-size=\"11\">{}</text>", L - 5, Y(v) + 4,
                       svg::detail::label(v, t.decimals));
  }
  out += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#333\"/>", L, T, H - B);
  const double slot = static_cast<double>(W - L - R) / static_cast<double>(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double cx = L + slot * (static_cast<double>(i) + 0.5), half = std::min(28.0, slot * 0.3);
    const std::string_view colour = svg::detail::palette[i % std::size(svg::detail::palette)];
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{} (n={})</text>", cx, H - B + 16,
                       html::escape(samples[i].first), st[i].n);
    if (st[i].n == 0) continue;
    const box_stats& s = st[i];
    out += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#333\"/>", cx, Y(s.max), Y(s.min));
    for (const double w : {s.min, s.max})
      out += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#333\"/>", cx - half / 2, cx + half / 2, Y(w), Y(w));
    out += fmt::format("<rect class=\"mark\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" fill-opacity=\"0.6\" "
                       "stroke=\"#333\"><title>{}: n={} min={} q1={} median={} q3={} max={} mean={}</title></rect>",
                       cx - half, Y(s.q3), 2 * half, std::max(1.0, Y(s.q1) - Y(s.q3)), colour, html::escape(samples[i].first), s.n,
                       svg::detail::value_text(s.min), svg::detail::value_text(s.q1), svg::detail::value_text(s.median),
                       svg::detail::value_text(s.q3), svg::detail::value_text(s.max), svg::detail::value_text(s.mean));
    out += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#111\" stroke-width=\"2\"/>", cx - half,
                       cx + half, Y(s.median), Y(s.median));
    out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#fff\" stroke=\"#111\"/>", cx, Y(s.mean));
  }
  return out + "</svg>";
}

/// The comparison page: a form choosing two algorithms and a scenario (or all), then one box plot
/// per scenario and a table of the summaries.
inline std::string compare_page(const std::vector<std::string>& algorithms, const std::vector<std::string>& scenarios,
                                const std::string& a, const std::string& b, const std::string& scenario,
                                const std::vector<std::string>& shown, const std::vector<std::pair<std::vector<double>, std::vector<double>>>& samples) {
  const auto select = [](const char* name, const std::vector<std::string>& values, const std::string& chosen, bool any) {
    std::string s = std::string("<label>") + name + "<select name=\"" + name + "\">";
    if (any) s += "<option value=\"\">(all)</option>";
    for (const auto& v : values)
      s += "<option" + std::string(v == chosen ? " selected" : "") + " value=\"" + html::escape(v) + "\">" + html::escape(v) + "</option>";
    return s + "</select></label>\n";
  };
  std::string body = "<form class=\"filters\" method=\"get\" action=\"/compare\">\n" + select("a", algorithms, a, false) +
                     select("b", algorithms, b, false) + select("scenario", scenarios, scenario, true) +
                     "<button type=\"submit\">Compare</button></form>\n";
  if (a.empty() || b.empty()) {
    body += "<p class=\"muted\">Choose two algorithms to see their objective distributions side by side.</p>";
    return page_shell("Compare algorithms", body);
  }
  body += "<p class=\"subtitle\">Objective of every recorded run of <b>" + html::escape(a) + "</b> and <b>" + html::escape(b) + "</b> per scenario" +
          (shown.size() >= 24 ? " (first 24 scenarios)" : "") + ".</p>\n<div class=\"charts\">\n";
  std::string table = "<table id=\"compare\"><thead><tr><th>scenario</th><th>algorithm</th><th>runs</th><th>min</th><th>median</th>"
                      "<th>mean</th><th>max</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < shown.size(); ++i) {
    body += "<figure class=\"facet\">" + box_plot(shown[i], {{a, samples[i].first}, {b, samples[i].second}}) + "</figure>\n";
    for (const auto& [name, v] : {std::pair<const std::string&, const std::vector<double>&>{a, samples[i].first}, {b, samples[i].second}}) {
      const box_stats s = summarise(v);
      table += "<tr><td>" + html::escape(shown[i]) + "</td><td>" + html::escape(name) + "</td><td class=\"n\">" + std::to_string(s.n) + "</td>";
      for (const double x : {s.min, s.median, s.mean, s.max})
        table += "<td class=\"n\">" + (s.n ? svg::detail::value_text(x) : std::string("\u2014")) + "</td>";
      table += "</tr>\n";
    }
  }
  if (shown.empty()) body += "<p class=\"muted\">No recorded runs of these algorithms with an objective.</p>";
  body += "</div>\n" + table + "</tbody></table>";
  return page_shell("Compare " + a + " and " + b, body);
}

/// The tuning history: one row per tuner summary (newest first) with the best objective per
/// scenario, and one chart per scenario of the best objective each tuner run reached over time;
/// then `tables` (HTML: the comparison tables of the store's runs).
template <class Rows>
std::string tuning_page(const Rows& rows, std::string_view tables = {}) {
  if (rows.empty())
    return page_shell("Tuning history", "<p class=\"muted\">No tuner summaries in this store (fhops tune-random, tune-grid, "
                                        "tune-bayes and tuning-plan run record them).</p>\n" + std::string(tables));
  // Per scenario, per algorithm: (summary index from the oldest, best).
  std::vector<std::string> scenarios, algorithms;
  for (const auto& r : rows) {
    if (std::find(algorithms.begin(), algorithms.end(), r.algorithm) == algorithms.end()) algorithms.push_back(r.algorithm);
    for (const auto& [scenario, v] : r.best)
      if (std::find(scenarios.begin(), scenarios.end(), scenario) == scenarios.end()) scenarios.push_back(scenario);
  }
  std::sort(scenarios.begin(), scenarios.end());
  std::vector<std::pair<std::string, std::string>> panels;
  for (const auto& scenario : scenarios) {
    if (panels.size() >= 24) break;
    svg::line_chart c;
    c.title = scenario;
    c.x.title = "tuner summary (oldest first)";
    c.y.title = "best objective";
    c.colour_domain = algorithms;
    for (const auto& algorithm : algorithms) {
      svg::series s;
      s.name = algorithm;
      for (std::size_t i = rows.size(); i-- > 0;)
        if (rows[i].algorithm == algorithm)
          for (const auto& [k, v] : rows[i].best)
            if (k == scenario) s.points.push_back({static_cast<double>(rows.size() - 1 - i), v});
      if (!s.points.empty()) c.series.push_back(std::move(s));
    }
    panels.emplace_back(scenario, svg::render(c));
  }
  std::string body = "<h2>Best objective per scenario</h2>\n" + svg::facets(panels) + "\n<h2>Tuner summaries</h2>\n";
  body += "<table id=\"tuning\"><thead><tr><th>created</th><th>algorithm</th><th>configurations</th><th>scenarios</th>"
          "<th>best per scenario</th></tr></thead><tbody>\n";
  for (const auto& r : rows) {
    std::string best;
    for (const auto& [k, v] : r.best) best += (best.empty() ? "" : ", ") + html::escape(k) + ": " + svg::detail::value_text(v);
    body += "<tr><td>" + html::escape(r.created_at) + "</td><td>" + html::escape(r.algorithm) + "</td><td class=\"n\">" +
            std::to_string(r.configurations) + "</td><td class=\"n\">" + std::to_string(r.scenarios) + "</td><td>" + best + "</td></tr>\n";
  }
  return page_shell("Tuning history", body + "</tbody></table>\n" + std::string(tables));
}

}  // namespace fhops::pages::dashboard
