// Scenario discovery for the tuners and the bench suite (telemetry_tuning.md §2).
#include "../test_support.hpp"

#include "fhops/workflows/discovery.hpp"

using namespace fhops::harvest;
namespace fs = std::filesystem;

namespace {

// A folder with bundles a/, b/ (each a scenario.yaml naming it) and loose YAML files.
fs::path tree() {
  const fs::path d = fhops_test::scratch("discovery");
  fhops_test::write(d / "bundles/b/scenario.yaml", "name: Bee\n");
  fhops_test::write(d / "bundles/a/scenario.yaml", "num_days: 1\n");
  fhops_test::write(d / "loose/two.yaml", "name: two\n");
  fhops_test::write(d / "loose/one.yaml", "name: one\n");
  fs::create_directories(d / "empty");
  return d;
}

std::vector<std::string> names(const std::vector<scenario_entry>& es) {
  std::vector<std::string> out;
  for (const auto& e : es) out.push_back(e.bundle + "/" + e.member + ":" + e.path.parent_path().filename().string() + "/" + e.path.filename().string());
  return out;
}

}  // namespace

TEST_CASE("explicit paths: file, bundle folder, own YAML files, child bundles, errors", "[discovery]") {
  const fs::path d = tree();
  CHECK(discover_scenarios(d / "loose/two.yaml") == std::vector<fs::path>{fs::weakly_canonical(d / "loose/two.yaml")});
  CHECK(discover_scenarios(d / "bundles/a") == std::vector<fs::path>{fs::weakly_canonical(d / "bundles/a/scenario.yaml")});
  CHECK(discover_scenarios(d / "loose") ==
        std::vector<fs::path>{fs::weakly_canonical(d / "loose/one.yaml"), fs::weakly_canonical(d / "loose/two.yaml")});
  CHECK(discover_scenarios(d / "bundles") ==
        std::vector<fs::path>{fs::weakly_canonical(d / "bundles/a/scenario.yaml"), fs::weakly_canonical(d / "bundles/b/scenario.yaml")});
  CHECK_THROWS_WITH(discover_scenarios(d / "empty"), Catch::Contains("No scenario.yaml discovered under directory"));
  CHECK_THROWS_WITH(discover_scenarios(d / "missing"), Catch::Contains("missing: no such file or directory"));
}

TEST_CASE("bundle specs: folders, manifests in both forms, alias=target, errors", "[discovery]") {
  const fs::path d = tree();
  CHECK(names(resolve_bundle((d / "bundles").string(), std::nullopt)) ==
        std::vector<std::string>{"bundles/a:a/scenario.yaml", "bundles/b:b/scenario.yaml"});
  CHECK(names(resolve_bundle("mine=" + (d / "bundles/b").string(), std::nullopt)) == std::vector<std::string>{"mine/b:b/scenario.yaml"});
  // the reference's manifest: keys naming sub-folders, sorted, only those with a scenario.yaml
  fhops_test::write(d / "bundles/metadata.yaml", "b: {seed: 1}\nzzz: {}\na: {seed: 2}\n");
  CHECK(names(resolve_bundle("syn=" + (d / "bundles").string(), std::nullopt)) ==
        std::vector<std::string>{"syn/a:a/scenario.yaml", "syn/b:b/scenario.yaml"});
  // a bundle folder whose own metadata.yaml lists no sub-bundles is that bundle (fhops synth writes one)
  fhops_test::write(d / "bundles/a/metadata.yaml", "name: a\nseed: 3\n");
  CHECK(names(resolve_bundle("one=" + (d / "bundles/a").string(), std::nullopt)) == std::vector<std::string>{"one/a:a/scenario.yaml"});
  // fhops-cpp's manifest: a list of paths or {name, path}, relative to the manifest
  fhops_test::write(d / "m.yaml", "scenarios:\n  - bundles/b\n  - {name: first, path: bundles/a/scenario.yaml}\n");
  CHECK(names(resolve_bundle((d / "m.yaml").string(), std::nullopt)) ==
        std::vector<std::string>{"m.yaml/b:b/scenario.yaml", "m.yaml/first:a/scenario.yaml"});
  fhops_test::write(d / "named.yaml", "bundle: nice\nscenarios:\n  - {name: b, path: bundles/b}\n");
  CHECK(names(resolve_bundle((d / "named.yaml").string(), std::nullopt)) == std::vector<std::string>{"nice/b:b/scenario.yaml"});
  CHECK(names(resolve_bundle("mine=" + (d / "named.yaml").string(), std::nullopt)) == std::vector<std::string>{"mine/b:b/scenario.yaml"});
  fhops_test::write(d / "bad.yaml", "scenarios:\n  - nowhere\n");
  CHECK_THROWS_WITH(resolve_bundle((d / "bad.yaml").string(), std::nullopt), Catch::Contains("bad.yaml:2") && Catch::Contains("'nowhere' not found"));
  CHECK_THROWS_WITH(resolve_bundle("=x", std::nullopt), Catch::Contains("empty alias or target"));
  CHECK_THROWS_WITH(resolve_bundle("x=", std::nullopt), Catch::Contains("empty alias or target"));
  CHECK_THROWS_WITH(resolve_bundle((d / "empty").string(), std::nullopt), Catch::Contains("Bundle target does not contain scenarios"));
  // minitoy is a reference alias the project does not ship: without a root it asks for one.
  CHECK_THROWS_WITH(resolve_bundle("minitoy", std::nullopt), Catch::Contains("--bundle-dir"));
}

TEST_CASE("a shipped bundle resolves by name: NAME -> NAME=<shipped>/<name>.yaml, unless a path, a target or a rooted alias (issue 22)",
          "[discovery]") {
  const fs::path d = tree();
  const fs::path shipped = d / "shipped";
  fhops_test::write(shipped / "mine.yaml", "bundle: other\nscenarios:\n  - {name: a, path: ../bundles/a}\n");
  fhops_test::write(shipped / "synthetic.yaml", "scenarios: []\n");
  using fhops::harvest::shipped_bundle_spec;
  CHECK(shipped_bundle_spec("mine", std::nullopt, shipped) == "mine=" + (shipped / "mine.yaml").string());
  CHECK(shipped_bundle_spec("Mine", std::nullopt, shipped) == "Mine=" + (shipped / "mine.yaml").string());  // kept as typed
  CHECK(shipped_bundle_spec("mine", fs::path("root"), shipped) == "mine=" + (shipped / "mine.yaml").string());  // not a reference alias
  CHECK(shipped_bundle_spec("synthetic", std::nullopt, shipped) == "synthetic=" + (shipped / "synthetic.yaml").string());
  CHECK(shipped_bundle_spec("synthetic", fs::path("root"), shipped) == "synthetic");  // the root's alias wins
  CHECK(shipped_bundle_spec("absent", std::nullopt, shipped) == "absent");
  CHECK(shipped_bundle_spec("mine=x.yaml", std::nullopt, shipped) == "mine=x.yaml");
  CHECK(shipped_bundle_spec(d.string(), std::nullopt, shipped) == d.string());  // an existing path
  CHECK(shipped_bundle_spec("../mine", std::nullopt, shipped) == "../mine");
  // The shipped bundles of this project, from the source tree: the named manifest's members, the name as typed.
  const fs::path src = fhops_test::source_dir() / "examples/bundles";
  const auto members = resolve_bundle("synthetic=" + (src / "synthetic.yaml").string(), std::nullopt);
  CHECK(shipped_bundle_spec("synthetic", std::nullopt, src) == "synthetic=" + (src / "synthetic.yaml").string());
  REQUIRE_FALSE(members.empty());
  CHECK(members.front().bundle == "synthetic");
}

TEST_CASE("a manifest is read as PyYAML reads it (last repeated key wins); a FIFO is refused", "[discovery][input]") {
  const fs::path d = tree();
  fhops_test::write(d / "dup.yaml", "bundle: first\nscenarios:\n  - nowhere\nbundle: nice\nscenarios:\n  - {name: b, path: bundles/b}\n");
  CHECK(names(resolve_bundle((d / "dup.yaml").string(), std::nullopt)) == std::vector<std::string>{"nice/b:b/scenario.yaml"});
  fhops_test::make_fifo(d / "fifo.yaml");
  const std::string what = fhops_test::without_hang(d / "fifo.yaml", [&] {
    try {
      (void)resolve_bundle((d / "fifo.yaml").string(), std::nullopt);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  });
  CHECK_THAT(what, Catch::Contains("fifo.yaml: is not a regular file"));
}

TEST_CASE("collection: explicit first, duplicates removed, later bundle labels win", "[discovery]") {
  const fs::path d = tree();
  const auto all = collect_scenarios({d / "bundles/b", d / "loose/one.yaml"}, {"x=" + (d / "bundles").string(), "y=" + (d / "bundles/a").string()});
  CHECK(names(all) == std::vector<std::string>{"x/b:b/scenario.yaml", "/:loose/one.yaml", "y/a:a/scenario.yaml"});
  CHECK(scenario_display_name(d / "bundles/b/scenario.yaml") == "Bee");
  CHECK(scenario_display_name(d / "bundles/a/scenario.yaml") == "a");
}

TEST_CASE("built-in aliases resolve under the reference's scenario folder", "[discovery][reference]") {
  if (!fhops_test::have_reference()) return;
  const fs::path root = fhops_test::reference("scenarios");
  const auto base = resolve_bundle("Baseline", root);
  REQUIRE(base.size() == 3);
  CHECK(base[0].bundle == "Baseline");  // recorded as typed
  CHECK(base[2].member == "med42");
  CHECK(scenario_display_name(base[2].path) == "FHOPS Medium42");
  const auto syn = resolve_bundle("synthetic", root);
  REQUIRE(syn.size() == 3);
  CHECK(syn[0].member == "synthetic-small");
  // the reference's own metadata.yaml manifest gives the same files (sorted: large, medium, small)
  const auto meta = resolve_bundle("s=" + (root / "synthetic").string(), std::nullopt);
  REQUIRE(meta.size() == 3);
  CHECK(meta[0].member == "large");
  CHECK(meta[2].path == syn[0].path);
}
