# CTest, when the benchmarks are not built (-DFHOPS_BUILD_BENCH=OFF, as CI configures to save
# build time): their sources still compile against the current headers (-fsyntax-only), so a
# change to the library cannot leave bench/ broken unnoticed. Arguments: -DSOURCE_DIR -DCXX.
file(GLOB sources "${SOURCE_DIR}/bench/*.cpp")
set(flags -std=c++20 -fsyntax-only -I "${SOURCE_DIR}/include")
set(failed "")
foreach(s ${sources})
  execute_process(COMMAND "${CXX}" ${flags} "${s}" RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(rc)
    get_filename_component(name "${s}" NAME)
    list(APPEND failed "${name}:\n${err}")
  endif()
endforeach()
if(failed)
  string(REPLACE ";" "\n" failed "${failed}")
  message(FATAL_ERROR "benchmark sources that do not compile:\n${failed}")
endif()
list(LENGTH sources n)
message(STATUS "${n} benchmark sources compile")
