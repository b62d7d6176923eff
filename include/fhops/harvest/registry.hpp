/// \file
/// Harvest systems (job chains with machine roles) and the role normalisation of the reference,
/// including its built-in 34-system registry (problem_model.md §2.14).
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fhops::harvest {

/// One job of a harvest system: the role that does it and the jobs that must precede it.
struct harvest_job {
  std::string name;
  std::string machine_role;
  std::vector<std::string> prerequisites;
};

/// A harvest system: an id and its jobs in order.
struct harvest_system {
  std::string id;
  std::vector<harvest_job> jobs;
};

/// The systems a problem resolves `harvest_system_id`s against.
using system_registry = std::vector<harvest_system>;

/// The reference's `normalize_machine_role`: trim, lower-case, runs of non-word characters to `_`,
/// strip `_`, then the synonyms (roadside_processor → processor, …). Empty gives nullopt.
inline std::optional<std::string> normalize_machine_role(std::string_view raw) {
  std::string lowered;
  const auto first = raw.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return std::nullopt;
  const auto last = raw.find_last_not_of(" \t\r\n\f\v");
  for (char c : raw.substr(first, last - first + 1))
    lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string out;
  bool in_run = false;
  for (char c : lowered) {
    const bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (word) {
      out += c;
      in_run = false;
    } else if (!in_run) {
      out += '_';
      in_run = true;
    }
  }
  const auto a = out.find_first_not_of('_');
  if (a == std::string::npos) return std::nullopt;
  out = out.substr(a, out.find_last_not_of('_') - a + 1);
  if (out == "roadside_processor" || out == "landing_processor_or_hand_buck" || out == "hand_buck_or_processor")
    return std::string("processor");
  if (out == "loader_or_water") return std::string("loader");
  return out;
}

namespace detail {

inline harvest_system linear_system(std::string id, std::vector<std::pair<std::string, std::string>> jobs) {
  harvest_system s{std::move(id), {}};
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    harvest_job j{std::move(jobs[i].first), std::move(jobs[i].second), {}};
    if (i > 0) j.prerequisites.push_back(s.jobs.back().name);
    s.jobs.push_back(std::move(j));
  }
  return s;
}

inline harvest_system four_stage(std::string id, std::string feller, std::string transport) {
  return linear_system(std::move(id), {{"felling", std::move(feller)},
                                       {"primary_transport", std::move(transport)},
                                       {"processing", "processor"},
                                       {"loading", "loader"}});
}

}  // namespace detail

/// The reference's `default_system_registry()`: 34 linear systems in registry order. Roles are raw
/// (the helicopter system keeps `hand_buck_or_processor` and `loader_or_water`); users of the
/// registry normalise them.
inline const system_registry& default_system_registry() {
  static const system_registry registry = [] {
    using detail::four_stage;
    using detail::linear_system;
    const auto ctl_like = [](std::string id) {
      return linear_system(std::move(id), {{"felling_processing", "single_grip_harvester"},
                                           {"primary_transport", "forwarder"},
                                           {"loading", "loader"}});
    };
    system_registry r;
    r.push_back(four_stage("ground_fb_skid", "feller_buncher", "grapple_skidder"));
    r.push_back(four_stage("ground_fb_loader_liveheel", "feller_buncher", "grapple_skidder"));
    r.push_back(four_stage("ground_hand_shovel", "hand_faller", "shovel_logger"));
    r.push_back(four_stage("ground_fb_shovel", "feller_buncher", "shovel_logger"));
    r.push_back(four_stage("ground_salvage_grapple", "feller_buncher", "grapple_skidder"));
    r.push_back(ctl_like("thinning_adv1n12_forwarder"));
    r.push_back(four_stage("thinning_adv1n12_fulltree", "hand_faller", "grapple_skidder"));
    r.push_back(ctl_like("ctl"));
    r.push_back(four_stage("steep_tethered", "tethered_harvester", "tethered_shovel_or_skidder"));
    for (const char* id : {"cable_standing", "cable_standing_tr125_single", "cable_standing_tr125_strip"})
      r.push_back(four_stage(id, "hand_or_mech_faller", "skyline_yarder"));
    for (const char* id : {"cable_running", "cable_running_tn157_combined"})
      r.push_back(four_stage(id, "hand_or_mech_faller", "grapple_yarder"));
    r.push_back(four_stage("cable_highlead_tn147", "hand_faller", "grapple_yarder"));
    for (const char* id : {"cable_running_tr122_extended", "cable_running_tr122_shelterwood",
                           "cable_running_tr122_clearcut"})
      r.push_back(four_stage(id, "hand_or_mech_faller", "grapple_yarder"));
    for (const char* id : {"cable_partial_tr127_block1", "cable_partial_tr127_block5"})
      r.push_back(four_stage(id, "hand_or_mech_faller", "skyline_yarder"));
    for (const char* id : {"cable_running_adv5n28_clearcut", "cable_running_adv5n28_shelterwood"})
      r.push_back(four_stage(id, "hand_or_mech_faller", "grapple_yarder"));
    for (const char* id : {"cable_running_sr54", "cable_running_tr75_bunched"})
      r.push_back(four_stage(id, "feller_buncher", "grapple_yarder"));
    r.push_back(four_stage("cable_running_tr75_handfelled", "hand_faller", "grapple_yarder"));
    r.push_back(four_stage("cable_running_fncy12", "hand_or_mech_faller", "skyline_yarder"));
    for (const char* kind : {"ecologger", "gabriel", "christie", "teletransporteur", "timbermaster"})
      r.push_back(four_stage(std::string("cable_micro_") + kind, "hand_faller",
                             std::string("skyline_") + kind + "_tn173"));
    r.push_back(linear_system("cable_micro_hi_skid", {{"felling", "hand_faller"}, {"primary_transport", "skyline_hi_skid"}}));
    r.push_back(four_stage("cable_salvage_grapple", "hand_or_mech_faller", "grapple_yarder"));
    r.push_back(linear_system("helicopter", {{"felling", "hand_faller"},
                                             {"primary_transport", "helicopter_longline"},
                                             {"processing", "hand_buck_or_processor"},
                                             {"loading", "loader_or_water"}}));
    return r;
  }();
  return registry;
}

/// The system with this id, or nullptr.
inline const harvest_system* find_system(const system_registry& registry, std::string_view id) {
  const auto it = std::find_if(registry.begin(), registry.end(), [&](const harvest_system& s) { return s.id == id; });
  return it == registry.end() ? nullptr : &*it;
}

}  // namespace fhops::harvest
