# CTest: every public header compiles on its own (includes what it uses). Arguments:
# -DSOURCE_DIR -DCXX (the C++ compiler).
file(GLOB_RECURSE headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/fhops/*.hpp")
set(probe "${CMAKE_CURRENT_BINARY_DIR}/self_contained_probe.cpp")
set(failed "")
foreach(h ${headers})
  file(WRITE "${probe}" "#include \"${h}\"\n")
  execute_process(COMMAND "${CXX}" -std=c++20 -fsyntax-only -I "${SOURCE_DIR}/include" "${probe}"
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(rc)
    list(APPEND failed "${h}:\n${err}")
  endif()
endforeach()
list(LENGTH headers n)
if(failed)
  string(REPLACE ";" "\n" failed "${failed}")
  message(FATAL_ERROR "headers that do not compile on their own:\n${failed}")
endif()
message(STATUS "${n} headers compile on their own")
