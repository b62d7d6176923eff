# CTest driver: install fhops into a scratch prefix, configure and build tests/downstream against
# it, and run the consumer on the demo scenario; then the fhops::search-only checks at the end.
# Arguments: -DSOURCE_DIR -DBINARY_DIR -DGENERATOR -DCXX (the C++ compiler).

# run(WHAT COMMAND...): runs the command; on failure stops the check saying WHAT failed.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${BINARY_DIR}/downstream-install)
set(build ${BINARY_DIR}/downstream-build)
file(REMOVE_RECURSE ${prefix} ${build})
run("installing the build" ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix})
run("configuring the downstream project" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/downstream -B ${build} -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix})
run("building the downstream project" ${CMAKE_COMMAND} --build ${build})
run("the downstream consumer" ${build}/consumer ${SOURCE_DIR}/examples/scenarios/demo/scenario.yaml)
message(STATUS "${out}")
if(NOT out MATCHES "greedy objective -.*solved objective")
  message(FATAL_ERROR "the downstream consumer printed no objectives: ${out}")
endif()
# The installed driver finds the shipped bundles by name in share/fhops (not in the source tree).
if(EXISTS ${prefix}/bin/fhops)
  if(NOT EXISTS ${prefix}/share/fhops/bundles/synthetic.yaml OR NOT EXISTS ${prefix}/share/fhops/scenarios/synth-small/scenario.yaml)
    message(FATAL_ERROR "the install lacks the shipped bundles and scenarios (share/fhops)")
  endif()
  run("the installed driver's --bundle synthetic" ${prefix}/bin/fhops tune-bayes --bundle synthetic --trials 1 --iters 10
      --telemetry-log ${build}/bundle-check/runs.jsonl)
  if(NOT out MATCHES "bundle=synthetic")
    message(FATAL_ERROR "the installed driver did not tune the shipped synthetic bundle: ${out}")
  endif()
endif()

# Installing needs no build: configured with the examples on (the default) but nothing built, and
# the tests off through CTest's BUILD_TESTING, `cmake --install` installs the headers and the
# package files and skips the driver.
set(nobuild ${BINARY_DIR}/downstream-nobuild)
set(nobuild_prefix ${BINARY_DIR}/downstream-nobuild-install)
file(REMOVE_RECURSE ${nobuild} ${nobuild_prefix})
run("configuring with BUILD_TESTING=OFF" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${nobuild} -G ${GENERATOR}
    -DBUILD_TESTING=OFF -DFHOPS_BUILD_BENCH=OFF)
if(EXISTS ${nobuild}/tests)
  message(FATAL_ERROR "BUILD_TESTING=OFF did not turn the tests off (FHOPS_BUILD_TESTS)")
endif()
run("installing a tree that was not built" ${CMAKE_COMMAND} --install ${nobuild} --prefix ${nobuild_prefix})
if(NOT EXISTS ${nobuild_prefix}/include/fhops/search/search.hpp OR EXISTS ${nobuild_prefix}/bin/fhops)
  message(FATAL_ERROR "an install without a build should hold the headers and no driver")
endif()
file(REMOVE_RECURSE ${nobuild} ${nobuild_prefix})

# The library alone: configured with the examples, tests and benchmarks off, it installs (headers
# and package files, nothing to compile).
set(lib_build ${BINARY_DIR}/downstream-lib-build)
set(lib_prefix ${BINARY_DIR}/downstream-lib-install)
file(REMOVE_RECURSE ${lib_build} ${lib_prefix})
run("configuring the library with examples, tests and benchmarks off" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${lib_build}
    -G ${GENERATOR} -DFHOPS_BUILD_EXAMPLES=OFF -DFHOPS_BUILD_TESTS=OFF -DFHOPS_BUILD_BENCH=OFF)
run("building the library alone" ${CMAKE_COMMAND} --build ${lib_build})
run("installing the library alone" ${CMAKE_COMMAND} --install ${lib_build} --prefix ${lib_prefix})
if(NOT EXISTS ${lib_prefix}/include/fhops/search/search.hpp OR NOT EXISTS ${lib_prefix}/lib/cmake/fhops/fhopsSearchTargets.cmake)
  file(GLOB_RECURSE installed RELATIVE ${lib_prefix} ${lib_prefix}/*)
  message(FATAL_ERROR "the library's install lacks the headers or the package files: ${installed}")
endif()

# fhops::search alone, from that install: the knapsack example (search + tune) built on its own
# with find_package(fhops COMPONENTS search), which must look for nothing but Boost...
set(search_build ${BINARY_DIR}/downstream-search-build)
file(REMOVE_RECURSE ${search_build})
run("configuring the search-only downstream project (examples/knapsack)" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/knapsack
    -B ${search_build} -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${lib_prefix})
file(STRINGS ${search_build}/CMakeCache.txt found REGEX "^(yaml-cpp|fmt|simdjson|SQLiteCpp)_DIR:")
if(found)
  message(FATAL_ERROR "find_package(fhops COMPONENTS search) looked for more than Boost: ${found}")
endif()
run("building the search-only downstream project" ${CMAKE_COMMAND} --build ${search_build})
# ...and with the compiler alone: `c++ -std=c++20 -I <prefix>/include`, no library but the standard one.
run("building examples/knapsack with `${CXX} -std=c++20 -I include` alone" ${CXX} -std=c++20 -I ${lib_prefix}/include
    ${SOURCE_DIR}/examples/knapsack/main.cpp -o ${search_build}/knapsack_plain)
run("the plainly built knapsack example" ${search_build}/knapsack_plain 42)
message(STATUS "fhops::search alone: built with CMake (COMPONENTS search) and with `c++ -std=c++20 -I include`")
