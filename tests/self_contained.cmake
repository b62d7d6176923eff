# CTest: every public header compiles on its own (includes what it uses). Arguments:
# -DSOURCE_DIR -DCXX (the C++ compiler); -DWORK_DIR (scratch files); -DMPI_INCLUDES (a ;-list): the MPI headers' folders;
# without them the MPI executor is not probed; -DEXTRA_FLAGS (a ;-list): more compiler flags (the
# build's FHOPS_COMPILER_SPEED_FLAGS). -DSTANDALONE=ON probes one header per compile (the
# plain method, to cross-check the chains below).
#
# Probes in chains. A translation unit `#include "H1"`, `#include "H2"`, ..., `#include "Hn"`
# checks every Hk, not only H1, when each earlier Hj is one of the headers Hk includes, directly or
# through others, and Hk has no code before its last #include:
#   - before Hk's own code the compiler has seen exactly what Hk alone would have pulled in (the
#     earlier headers are part of it), so a missing #include in Hk fails here as it fails alone;
#   - the headers Hk includes are probed themselves (each is in some chain), so their order does
#     not matter.
# A chain costs about what its last header costs alone: the headers below it come for free. The
# chains are built greedily over the include graph, leaves first; a header with code before an
# #include starts a chain (nothing precedes it). Two chains compile at a time (execute_process
# runs its COMMANDs concurrently); a failing chain is re-checked one header at a time to name the
# culprit.
cmake_policy(VERSION 3.20)
include("${CMAKE_CURRENT_LIST_DIR}/scratch_dir.cmake")  # WORK_DIR: never the current directory
file(GLOB_RECURSE headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/fhops/*.hpp")
set(flags -std=c++20 -fsyntax-only -I "${SOURCE_DIR}/include" ${EXTRA_FLAGS})
if(MPI_INCLUDES)
  foreach(dir ${MPI_INCLUDES})
    list(APPEND flags -I "${dir}")
  endforeach()
else()
  list(REMOVE_ITEM headers "fhops/dist/mpi.hpp")
endif()

# Each header's direct fhops includes (inc_<id>), whether code precedes an #include (late_<id>),
# and whether it is an umbrella: nothing but #pragma once, comments and #include "fhops/..." lines
# of probed headers. An umbrella is self-contained when the headers it includes are: it is checked
# by that rule instead of a compile (the umbrellas are the most expensive headers to compile).
set(umbrellas "")
foreach(h ${headers})
  string(MAKE_C_IDENTIFIER "${h}" id)
  file(READ "${SOURCE_DIR}/include/${h}" text)  # read whole: file(STRINGS) would split at ';'
  string(REGEX REPLACE "(^|\n)[ \t]*//[^\n]*" "\\1" text "${text}")  # comments out
  string(REGEX REPLACE "(^|\n)#pragma once[ \t]*" "\\1" text "${text}")
  string(REGEX MATCHALL "(^|\n)#include \"fhops/[^\"]+\"" fhops_includes "${text}")
  set(inc_${id} "")
  set(umbrella TRUE)
  # Conditional compilation may leave an #include out: such a header starts a chain and is not
  # taken to include anything.
  if(text MATCHES "(^|\n)[ \t]*#[ \t]*if")
    set(fhops_includes "")
    set(conditional TRUE)
  else()
    set(conditional FALSE)
  endif()
  foreach(line ${fhops_includes})
    string(REGEX REPLACE "^\n?#include \"([^\"]+)\"$" "\\1" d "${line}")
    if(d IN_LIST headers)
      list(APPEND inc_${id} "${d}")
    else()
      set(umbrella FALSE)
    endif()
  endforeach()
  # Code before an #include: whatever is left, before the last #include line, once the #include
  # lines and blanks are out.
  string(REGEX MATCH "^.*\n[ \t]*#[ \t]*include[^\n]*" head "${text}")
  string(REGEX REPLACE "(^|\n)[ \t]*#[ \t]*include[^\n]*" "" head "${head}")
  string(STRIP "${head}" head)
  set(late_${id} ${conditional})
  if(NOT head STREQUAL "")
    set(late_${id} TRUE)
  endif()
  # An umbrella: nothing but fhops includes of probed headers (and comments, #pragma once).
  string(REGEX REPLACE "(^|\n)#include \"fhops/[^\"]+\"[^\n]*" "" rest "${text}")
  string(STRIP "${rest}" rest)
  if(umbrella AND inc_${id} AND rest STREQUAL "" AND NOT conditional)
    list(APPEND umbrellas "${h}")
  endif()
endforeach()
list(REMOVE_ITEM headers ${umbrellas})
list(LENGTH umbrellas n_umbrellas)
list(LENGTH headers n)

# The include closure of every header (all<id>: the fhops headers it pulls in, itself excluded),
# to a fixed point.
foreach(h ${headers} ${umbrellas})
  string(MAKE_C_IDENTIFIER "${h}" id)
  set(all_${id} ${inc_${id}})
endforeach()
set(changed TRUE)
while(changed)
  set(changed FALSE)
  foreach(h ${headers} ${umbrellas})
    string(MAKE_C_IDENTIFIER "${h}" id)
    set(grown ${all_${id}} ${inc_${id}})
    foreach(d ${all_${id}})
      string(MAKE_C_IDENTIFIER "${d}" did)
      list(APPEND grown ${all_${did}} ${inc_${did}})
    endforeach()
    list(REMOVE_DUPLICATES grown)
    list(REMOVE_ITEM grown "${h}")
    list(LENGTH grown after)
    list(LENGTH all_${id} before)
    if(NOT after EQUAL before)
      set(all_${id} ${grown})
      set(changed TRUE)
    endif()
  endforeach()
endwhile()

# Chains, greedily from the top: the header with the largest closure not yet in a chain starts
# one, and below it goes, again and again, the header it includes (directly or not) with the
# largest closure not yet in a chain, until a header has code before an #include (nothing may
# precede it) or includes nothing left. A chain costs what its top costs, so the expensive headers
# go below others wherever they can. chain_<k> lists a chain from its first header to its top.
set(order "")
foreach(h ${headers})
  string(MAKE_C_IDENTIFIER "${h}" id)
  list(LENGTH all_${id} size)
  set(key "00000${size}")
  string(LENGTH "${key}" length)
  math(EXPR start "${length} - 5")
  string(SUBSTRING "${key}" ${start} 5 key)
  list(APPEND order "${key}|${h}")
endforeach()
list(SORT order ORDER DESCENDING)
list(TRANSFORM order REPLACE "^[0-9]+\\|" "")  # largest closure first
set(n_chains 0)
set(assigned "")
foreach(h ${order})
  if(h IN_LIST assigned)
    continue()
  endif()
  set(chain "${h}")
  list(APPEND assigned "${h}")
  set(cur "${h}")
  while(NOT STANDALONE)
    string(MAKE_C_IDENTIFIER "${cur}" id)
    if(late_${id})
      break()
    endif()
    set(next "")
    foreach(c ${order})  # the first unassigned one in order has the largest closure
      if(NOT c IN_LIST assigned AND c IN_LIST all_${id})
        set(next "${c}")
        break()
      endif()
    endforeach()
    if(next STREQUAL "")
      break()
    endif()
    list(PREPEND chain "${next}")
    list(APPEND assigned "${next}")
    set(cur "${next}")
  endwhile()
  set(chain_${n_chains} ${chain})
  math(EXPR n_chains "${n_chains} + 1")
endforeach()

# Compile the chains two at a time.
function(write_probe file chain)
  set(text "")
  foreach(h ${chain})
    string(APPEND text "#include \"${h}\"\n")
  endforeach()
  file(WRITE "${file}" "${text}")
endfunction()
set(failed "")
set(k 0)
while(k LESS n_chains)
  set(p1 "${WORK_DIR}/self_contained_probe_1.cpp")
  write_probe("${p1}" "${chain_${k}}")
  set(pair ${k})
  math(EXPR j "${k} + 1")
  if(j LESS n_chains)
    set(p2 "${WORK_DIR}/self_contained_probe_2.cpp")
    write_probe("${p2}" "${chain_${j}}")
    list(APPEND pair ${j})
    execute_process(COMMAND "${CXX}" ${flags} "${p1}" COMMAND "${CXX}" ${flags} "${p2}"
                    RESULTS_VARIABLE rcs ERROR_VARIABLE err OUTPUT_QUIET)
  else()
    execute_process(COMMAND "${CXX}" ${flags} "${p1}" RESULTS_VARIABLE rcs ERROR_VARIABLE err OUTPUT_QUIET)
  endif()
  foreach(rc c IN ZIP_LISTS rcs pair)
    if(NOT rc EQUAL 0)
      set(named FALSE)
      foreach(bad ${chain_${c}})
        write_probe("${p1}" "${bad}")
        execute_process(COMMAND "${CXX}" ${flags} "${p1}" RESULT_VARIABLE one ERROR_VARIABLE why OUTPUT_QUIET)
        if(one)
          list(APPEND failed "${bad}:\n${why}")
          set(named TRUE)
        endif()
      endforeach()
      if(NOT named)  # every header compiles alone, not in this order: report the chain
        string(REPLACE ";" ", " members "${chain_${c}}")
        list(APPEND failed "the chain ${members} fails although each header compiles alone:\n${err}")
      endif()
    endif()
  endforeach()
  math(EXPR k "${k} + 2")
endwhile()
if(failed)
  string(REPLACE ";" "\n" failed "${failed}")
  message(FATAL_ERROR "headers that do not compile on their own:\n${failed}")
endif()
message(STATUS "${n} headers compile on their own (${n_chains} compiles); ${n_umbrellas} umbrella headers include only those: ${umbrellas}")
