// fhops telemetry history | summarize-meta: the reference's analyze_tuner_reports and
// summarize_tuner_meta scripts (telemetry_tuning.md §6, §7). Every input is read and every table
// computed before the first output is written, so a bad input leaves all outputs untouched; each
// output is written to a temporary file and renamed.
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"
#include "fhops/pages/history_chart.hpp"
#include "fhops/telemetry/analysis/convergence.hpp"
#include "fhops/telemetry/analysis/history.hpp"
#include "fhops/telemetry/records.hpp"
#include "fhops/util/atomic_file.hpp"
#include "fhops/util/file_identity.hpp"
#include "fhops/workflows/history_metrics.hpp"

namespace fhops_cli {

namespace {

namespace fs = std::filesystem;
namespace tel = fhops::telemetry;

// The outputs of one command, written in order once everything is computed.
struct output_plan {
  struct file_output {
    std::string option, path, content;
  };
  std::vector<file_output> files;
  std::string stdout_text;
  fhops::io_paths io;  // the inputs read, then the outputs: checked before the first write

  void file(const po::variables_map& vm, const char* option, const std::string& content) {
    if (vm.count(option)) files.push_back({std::string("--") + option, vm[option].as<std::string>(), content});
  }
  void commit() {
    for (const auto& f : files) io.output(f.option, f.path);
    io.check();
    for (const auto& f : files) fhops::write_file_atomic(f.path, f.content);
    std::cout << stdout_text;
  }
};

}  // namespace

// telemetry history's options: the reports, the history folder, the store and the outputs.
po::options_description history_option_table() {
  po::options_description opts("Options");
  opts.add_options()
    ("report", po::value<std::vector<std::string>>()->composing(),
     "LABEL=PATH or PATH (repeatable, required; the first is the baseline; a folder means <folder>/tuner_report.csv)")
    ("history-dir", po::value<std::string>(), "folder of report snapshots (<snapshot>.csv, metrics from <snapshot>.sqlite)")
    ("history-pattern", po::value<std::string>()->default_value("*.csv"), "snapshot file pattern")
    ("out-csv", po::value<std::string>(), "comparison CSV")
    ("out-markdown", po::value<std::string>(), "comparison Markdown")
    ("out-chart", po::value<std::string>(), "comparison chart (HTML with SVG)")
    ("out-history-csv", po::value<std::string>(), "history CSV")
    ("out-history-markdown", po::value<std::string>(), "history Markdown")
    ("out-history-chart", po::value<std::string>(), "history chart (HTML with SVG)")
    ("out-history-delta-csv", po::value<std::string>(), "latest vs previous snapshot, CSV")
    ("out-history-delta-markdown", po::value<std::string>(), "latest vs previous snapshot, Markdown")
    ("out-history-delta-html", po::value<std::string>(), "latest vs previous snapshot, HTML page (bar charts of the changes + table)")
    ("out-summary-csv", po::value<std::string>(), "best algorithm per scenario and report, CSV")
    ("out-summary-markdown", po::value<std::string>(), "best algorithm per scenario and report, Markdown")
    ("telemetry-log", po::value<std::string>(), "runs.jsonl whose .sqlite and steps/ give the convergence analysis")
    ("convergence-threshold", real_value("convergence-threshold", {real_domain::any_real})->default_value(0.01, "0.01"), "hard gap to the reference (fraction)")
    ("convergence-soft-threshold", real_value("convergence-soft-threshold", {real_domain::any_real})->default_value(0.05, "0.05"), "soft gap to the reference (fraction)")
    ("reference-objectives", po::value<std::string>(),
     "CSV scenario,objective of known optima or bounds; an entry wins over the store's MIP runs for its scenario")
    ("out-convergence-csv", po::value<std::string>(), "convergence per run, CSV")
    ("out-convergence-summary-csv", po::value<std::string>(), "convergence per scenario, algorithm and tier, CSV")
    ("out-convergence-summary-markdown", po::value<std::string>(), "convergence summary, Markdown");
  return opts;
}

int cmd_telemetry_history(int argc, char** argv) {
  return guarded("telemetry history", [&] {
    const po::options_description opts = history_option_table();
    const parsed p = parse("telemetry history", "--report [LABEL=]PATH... [--history-dir DIR] [--telemetry-log LOG] [OUTPUTS]", argc,
                           argv, opts, po::positional_options_description{});
    if (p.help) return exit_ok;
    const auto& vm = p.vm;
    if (!vm.count("report")) throw usage_error("the option '--report' is required");
    const bool convergence_out = vm.count("out-convergence-csv") || vm.count("out-convergence-summary-csv") ||
                                 vm.count("out-convergence-summary-markdown");
    if (convergence_out && !vm.count("telemetry-log"))
      throw usage_error("--telemetry-log is required when requesting convergence outputs.");
    if (vm.count("reference-objectives") && !vm.count("telemetry-log"))
      throw usage_error("--reference-objectives needs --telemetry-log (it is the convergence reference)");

    std::vector<tel::report_source> sources;
    for (const auto& a : vm["report"].as<std::vector<std::string>>()) sources.push_back(tel::parse_report_argument(a));
    std::vector<std::string> labels;
    for (const auto& s : sources) labels.push_back(s.label);
    output_plan out;
    for (const auto& s : sources) out.io.input("--report", s.path);

    // Comparison.
    const auto reports = tel::load_reports(sources);
    const auto combined = tel::compare_reports(reports);
    const std::string comparison_md = tel::comparison_markdown(combined, labels);
    out.file(vm, "out-csv", tel::frame_csv(combined));
    out.file(vm, "out-markdown", comparison_md);
    if (vm.count("out-chart")) out.file(vm, "out-chart", tel::comparison_chart_html(combined, labels));
    const bool comparison_out = vm.count("out-csv") || vm.count("out-markdown");
    if (!comparison_out) out.stdout_text += comparison_md;

    // Per-scenario summary.
    if (vm.count("out-summary-csv") || vm.count("out-summary-markdown")) {
      const auto summary = tel::summarise_reports(combined, labels);
      out.file(vm, "out-summary-csv", tel::frame_csv(summary));
      out.file(vm, "out-summary-markdown", tel::summary_markdown(summary, labels));
    }

    // Convergence.
    if (vm.count("telemetry-log")) {
      const fs::path log = vm["telemetry-log"].as<std::string>();
      tel::convergence_options o;
      o.threshold = vm["convergence-threshold"].as<double>();
      o.soft_threshold = vm["convergence-soft-threshold"].as<double>();
      if (vm.count("reference-objectives")) {
        o.reference_objectives = tel::read_reference_objectives(vm["reference-objectives"].as<std::string>());
        out.io.input("--reference-objectives", vm["reference-objectives"].as<std::string>());
      }
      out.io.input("--telemetry-log", log).input("the SQLite mirror of --telemetry-log", tel::sqlite_path_for(log));
      const auto c = tel::analyse_convergence(tel::sqlite_path_for(log), tel::steps_dir_for(log), o);
      if (!c.unmatched_references.empty()) {
        std::string keys;
        for (const auto& k : c.unmatched_references) keys += (keys.empty() ? "'" : ", '") + k + "'";
        std::cerr << "warning: --reference-objectives: no sa/ils/tabu run's scenario is called " << keys
                  << " (a key is a scenario name, bundle:member, member, scenario folder or path)\n";
      }
      const std::string md = tel::convergence_markdown(c.summary);
      out.file(vm, "out-convergence-csv", tel::frame_csv(c.runs));
      out.file(vm, "out-convergence-summary-csv", tel::frame_csv(c.summary));
      out.file(vm, "out-convergence-summary-markdown", md);
      if (!convergence_out && !comparison_out) out.stdout_text += md;
    }

    // History and deltas.
    if (vm.count("history-dir")) {
      const fs::path dir = vm["history-dir"].as<std::string>();
      const auto h = tel::load_history(dir, vm["history-pattern"].as<std::string>(), fhops::harvest::history_metrics);
      for (const auto& s : h.skipped) std::cerr << "warning: skipped " << s << "\n";
      out.io.inputs("the history snapshot", h.files);
      if (h.table.rows.empty()) {
        out.stdout_text += "No history entries discovered in " + dir.string() + "\n";
      } else {
        const auto& metrics = fhops::harvest::history_metrics;
        const std::string md = tel::history_markdown(h.table, metrics);
        out.file(vm, "out-history-csv", tel::frame_csv(h.table));
        out.file(vm, "out-history-markdown", md);
        if (vm.count("out-history-chart")) out.file(vm, "out-history-chart", tel::history_chart_html(h.table, metrics));
        if (vm.count("out-history-delta-csv") || vm.count("out-history-delta-markdown") || vm.count("out-history-delta-html")) {
          const auto d = tel::history_deltas(h.table, metrics);
          out.file(vm, "out-history-delta-csv", tel::frame_csv(d));
          out.file(vm, "out-history-delta-markdown", tel::delta_markdown(d, h.table, metrics));
          if (vm.count("out-history-delta-html")) out.file(vm, "out-history-delta-html", tel::delta_chart_html(d, h.table, metrics));
        }
        if (!vm.count("out-history-csv") && !vm.count("out-history-markdown") && !vm.count("out-history-chart"))
          out.stdout_text += md;
      }
    }
    out.commit();
    return exit_ok;
  });
}

int cmd_telemetry_summarize_meta(int argc, char** argv) {
  return guarded("telemetry summarize-meta", [&] {
    po::options_description opts("Options");
    opts.add_options()
      ("out-csv", po::value<std::string>(), "write the summary as CSV")
      ("out-markdown", po::value<std::string>(), "write the summary as Markdown");
    po::options_description hidden;
    hidden.add_options()("sqlite", po::value<std::string>(), "store");
    po::positional_options_description pos;
    pos.add("sqlite", 1);
    const parsed p = parse("telemetry summarize-meta", "SQLITE [--out-csv PATH] [--out-markdown PATH]", argc, argv, opts, pos, hidden);
    if (p.help) return exit_ok;
    if (!p.vm.count("sqlite")) throw usage_error("the argument SQLITE is required");
    const auto summary = tel::summarize_tuner_meta(p.vm["sqlite"].as<std::string>());
    output_plan out;
    out.io.input("the store", p.vm["sqlite"].as<std::string>());
    const std::string md = tel::tuner_meta_markdown(summary);
    out.file(p.vm, "out-csv", tel::frame_csv(summary));
    out.file(p.vm, "out-markdown", md);
    if (!p.vm.count("out-csv") && !p.vm.count("out-markdown")) out.stdout_text = md;
    out.commit();
    return exit_ok;
  });
}

}  // namespace fhops_cli
