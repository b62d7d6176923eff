/// \file
/// Calendar days as people and ISO 8601 write them: a day as YYYY-MM-DD, and the ISO week a day
/// belongs to.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace fhops {

/// The day as YYYY-MM-DD.
inline std::string iso_date(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

/// The ISO 8601 week of a day: (ISO year, week 1..53). The week belongs to the year of its Thursday.
inline std::pair<int, unsigned> iso_week(std::chrono::sys_days day) {
  namespace chr = std::chrono;
  const chr::sys_days thursday = day - chr::days{chr::weekday{day}.iso_encoding() - 1} + chr::days{3};
  const chr::year y = chr::year_month_day{thursday}.year();
  return {static_cast<int>(y), static_cast<unsigned>((thursday - chr::sys_days{y / chr::January / 1}).count() / 7 + 1)};
}

}  // namespace fhops
