# CTest: the layering rule. util <- telemetry <- search, tune <- harvest <- examples (dist, the
# optional MPI layer, sees util only): the generic folders include no folder to their right and
# never mention the harvest domain.
set(rules
  "util:telemetry|search|tune|harvest"
  "telemetry:search|tune|harvest"
  "search:tune|harvest"
  "tune:search|harvest"
  "dist:telemetry|search|tune|harvest")
set(failed "")
foreach(rule ${rules})
  string(REPLACE ":" ";" parts "${rule}")
  list(GET parts 0 folder)
  list(GET parts 1 forbidden)
  file(GLOB_RECURSE headers "${SOURCE_DIR}/include/fhops/${folder}/*.hpp")
  foreach(h ${headers})
    file(STRINGS "${h}" includes REGEX "#include \"fhops/(${forbidden})/")
    if(includes)
      list(APPEND failed "${h}: ${includes}")
    endif()
    file(STRINGS "${h}" domain REGEX "harvest::|fhops/harvest|[Ff]orestry")
    if(domain)
      list(APPEND failed "${h} mentions the harvest domain: ${domain}")
    endif()
  endforeach()
endforeach()
if(failed)
  string(REPLACE ";" "\n" failed "${failed}")
  message(FATAL_ERROR "layering violations:\n${failed}")
endif()
message(STATUS "layering ok")
