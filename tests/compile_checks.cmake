# CTest: the library's misuse diagnostics and the how-to's code. Arguments: -DSOURCE_DIR -DCXX
# -DWORK_DIR; -DEXTRA_FLAGS (a ;-list): more compiler flags (the build's FHOPS_COMPILER_SPEED_FLAGS).
# 1. Every probe in tests/compile_fail compiles as written, and fails to compile with
#    -DFHOPS_MISUSE, with the message its `// expect:` line names (a concept or static_assert text).
# 2. The C++ snippet of docs/howto/search_library.md compiles, with the TSP example of the test
#    suite standing in for the reader's own problem.
# 3. Optionally (-DBENCH_SOURCES=ON) the benchmark sources compile (see the end).
include("${CMAKE_CURRENT_LIST_DIR}/scratch_dir.cmake")  # WORK_DIR: never the current directory
set(flags -std=c++20 -fsyntax-only -I "${SOURCE_DIR}/include" -I "${SOURCE_DIR}/tests" ${EXTRA_FLAGS})
file(GLOB probes "${SOURCE_DIR}/tests/compile_fail/*.cpp")
set(failed "")
# The correct variants compile as one unit (CI time: each alone spends most of its time on the
# same library headers), as the benchmark sources do below: the unit first includes every header
# any probe includes, then each probe inside a namespace of its own (its #include lines are no-ops
# by then), so their main()s do not meet. Should the unit fail, each correct variant is compiled
# alone, to name the probe. The misuse variants compile one per probe: each must fail on its own,
# with its own message.
set(heads "")
set(bodies "")
set(misuses "")
set(k 0)
foreach(p ${probes})
  get_filename_component(name "${p}" NAME)
  file(STRINGS "${p}" expect REGEX "^// expect: ")
  string(REPLACE "// expect: " "" expect "${expect}")
  if(expect STREQUAL "")
    list(APPEND failed "${name}: no '// expect:' line")
    continue()
  endif()
  file(STRINGS "${p}" lines REGEX "^#include ")
  list(APPEND heads ${lines})
  string(APPEND bodies "namespace fhops_probe_${k} {\n#include \"${p}\"\n}\n")
  list(APPEND misuses "${p}")
  math(EXPR k "${k} + 1")
endforeach()
list(REMOVE_DUPLICATES heads)
string(REPLACE ";" "\n" heads "${heads}")
# The probes' own includes ("common.hpp") resolve from their folder.
file(WRITE "${WORK_DIR}/compile_fail_correct.cpp" "${heads}\n${bodies}")
execute_process(COMMAND "${CXX}" ${flags} -I "${SOURCE_DIR}/tests/compile_fail" "${WORK_DIR}/compile_fail_correct.cpp"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc)
  foreach(p ${misuses})
    get_filename_component(name "${p}" NAME)
    execute_process(COMMAND "${CXX}" ${flags} "${p}" RESULT_VARIABLE one ERROR_VARIABLE err OUTPUT_QUIET)
    if(one)
      list(APPEND failed "${name}: the correct variant does not compile:\n${err}")
    endif()
  endforeach()
endif()
# check_misuse(P RC ERR): P's misuse compiled with status RC and wrote ERR.
function(check_misuse p rc err)
  get_filename_component(name "${p}" NAME)
  file(STRINGS "${p}" expect REGEX "^// expect: ")
  string(REPLACE "// expect: " "" expect "${expect}")
  if(rc EQUAL 0)
    set(failed ${failed} "${name}: the misuse compiles" PARENT_SCOPE)
  elseif(NOT err MATCHES "${expect}")
    set(failed ${failed} "${name}: the error does not mention '${expect}':\n${err}" PARENT_SCOPE)
  endif()
endfunction()
foreach(p ${misuses})
  execute_process(COMMAND "${CXX}" ${flags} -DFHOPS_MISUSE "${p}" RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  check_misuse("${p}" "${rc}" "${err}")
endforeach()

file(READ "${SOURCE_DIR}/docs/howto/search_library.md" doc)
string(FIND "${doc}" "```cpp\n" begin)
if(begin LESS 0)
  list(APPEND failed "docs/howto/search_library.md: no ```cpp block")
else()
  math(EXPR begin "${begin} + 7")
  string(SUBSTRING "${doc}" ${begin} -1 rest)
  string(FIND "${rest}" "```" end)
  string(SUBSTRING "${rest}" 0 ${end} snippet)
  string(REGEX REPLACE "#include[^\n]*\n" "" body "${snippet}")
  string(REGEX MATCHALL "#include[^\n]*" includes "${snippet}")
  string(REPLACE ";" "\n" includes "${includes}")
  file(WRITE "${WORK_DIR}/howto_snippet.cpp"
"${includes}
#include \"compile_fail/common.hpp\"
struct my_neighbourhood : probe::tsp::neighbourhood {
  explicit my_neighbourhood(const probe::tsp::instance&) {}
};
using my_state = probe::tsp::state;
struct my_space : probe::tsp::space {
  using probe::tsp::space::space;
  my_state start() const { return make_state(probe::tsp::identity_tour(8)); }
};
int main() {
  const probe::tsp::instance instance = probe::tsp::circle(8);
${body}
  return result.best_score < 0.0 ? 0 : 1;
}
")
  execute_process(COMMAND "${CXX}" ${flags} "${WORK_DIR}/howto_snippet.cpp" RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(rc)
    list(APPEND failed "docs/howto/search_library.md: the snippet does not compile:\n${err}")
  endif()
endif()

# 3. With -DBENCH_SOURCES=ON (the benchmarks are not built, as in CI), the benchmark sources
#    still compile against the current headers.
if(BENCH_SOURCES)
  file(GLOB bench "${SOURCE_DIR}/bench/*.cpp")
  set(bench_flags ${flags})
  if(MPI_INCLUDES)  # the MPI layer's benchmark needs the MPI headers
    foreach(dir ${MPI_INCLUDES})
      list(APPEND bench_flags -I "${dir}")
    endforeach()
  else()
    list(FILTER bench EXCLUDE REGEX "dist_bench\\.cpp$")
  endif()
  # dashboard_bench includes no fhops header (it drives the built `fhops telemetry serve` with a
  # Beast client): nothing of the library to check, and Beast alone costs ~40 s of CPU here.
  list(FILTER bench EXCLUDE REGEX "dashboard_bench\\.cpp$")
  # One unit for all of them (CI time: each source alone spends most of its ~10 s parsing the same
  # library headers; the unit costs about what the largest one does). The unit first includes
  # every header any of the sources includes, at namespace scope, then each source inside a
  # namespace of its own (its #include lines are no-ops by then: every header has a guard), so
  # their main()s and file-scope names do not meet. Should the unit fail, every source is
  # compiled alone: the check fails only for a source that does not compile on its own (a
  # source the trick cannot hold, e.g. one specialising a std template, costs time, not a
  # false failure). The other way round it is weaker than one compile per source: inside its
  # namespace a source's own names hide those a `using namespace` brings in, where alone they could
  # clash; the benchmarks' own build (FHOPS_BUILD_BENCH, on by default) compiles each alone.
  set(bench_flags ${bench_flags} -I "${SOURCE_DIR}/bench" "-DFHOPS_BENCH_SOURCE_DIR=\"${SOURCE_DIR}\"" "-DFHOPS_BENCH_BINARY_DIR=\"${WORK_DIR}\"")
  set(heads "")
  set(bodies "")
  set(k 0)
  foreach(b ${bench})
    file(STRINGS "${b}" lines REGEX "^#include ")
    list(APPEND heads ${lines})
    string(APPEND bodies "namespace fhops_bench_source_${k} {\n#include \"${b}\"\n}\n")
    math(EXPR k "${k} + 1")
  endforeach()
  list(REMOVE_DUPLICATES heads)
  string(REPLACE ";" "\n" heads "${heads}")
  file(WRITE "${WORK_DIR}/bench_sources.cpp" "${heads}\n${bodies}")
  execute_process(COMMAND "${CXX}" ${bench_flags} "${WORK_DIR}/bench_sources.cpp" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc)
    foreach(b ${bench})
      execute_process(COMMAND "${CXX}" ${bench_flags} "${b}" RESULT_VARIABLE one ERROR_VARIABLE err OUTPUT_QUIET)
      if(one)
        list(APPEND failed "${b}: does not compile:\n${err}")
      endif()
    endforeach()
    if(NOT failed)
      message(STATUS "the benchmark sources compile one by one, not as one unit (${WORK_DIR}/bench_sources.cpp)")
    endif()
  endif()
endif()

if(failed)
  string(REPLACE ";" "\n" failed "${failed}")
  message(FATAL_ERROR "${failed}")
endif()
list(LENGTH probes n)
message(STATUS "${n} misuse probes fail as they should; the how-to snippet compiles")
