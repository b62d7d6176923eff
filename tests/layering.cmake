# CTest: the layering rule. util <- telemetry <- search, tune <- dist <- harvest <- workflows <- pages
# <- examples: a folder includes no folder to its right (search/exact is part of search; dist, the
# optional scale-out layer, sees util only), and the generic folders never mention the harvest domain.
cmake_policy(VERSION 3.20)
set(rules
  "util:telemetry|search|tune|dist|harvest|workflows|pages"
  "telemetry:search|tune|dist|harvest|workflows|pages"
  "search:tune|dist|harvest|workflows|pages"
  "tune:search|dist|harvest|workflows|pages"
  "dist:telemetry|search|tune|harvest|workflows|pages"
  "harvest:workflows|pages"
  "workflows:pages")
set(generic util telemetry search tune dist)
set(top pages)  # may include every folder
set(failed "")
foreach(rule ${rules})
  string(REPLACE ":" ";" parts "${rule}")
  list(GET parts 0 folder)
  list(GET parts 1 forbidden)
  file(GLOB_RECURSE headers "${SOURCE_DIR}/include/fhops/${folder}/*.hpp")
  if(NOT headers)
    list(APPEND failed "include/fhops/${folder}/ has no headers (a rule for a folder that is gone)")
  endif()
  foreach(h ${headers})
    file(STRINGS "${h}" includes REGEX "#include \"fhops/(${forbidden})/")
    if(includes)
      list(APPEND failed "${h}: ${includes}")
    endif()
    if(folder IN_LIST generic)
      file(STRINGS "${h}" domain REGEX "harvest::|fhops/harvest|[Ff]orestry")
      if(domain)
        list(APPEND failed "${h} mentions the harvest domain: ${domain}")
      endif()
    endif()
  endforeach()
endforeach()
# Every folder of include/fhops/ has a rule (or is the top).
file(GLOB folders RELATIVE "${SOURCE_DIR}/include/fhops" "${SOURCE_DIR}/include/fhops/*")
foreach(f ${folders})
  if(IS_DIRECTORY "${SOURCE_DIR}/include/fhops/${f}" AND NOT rules MATCHES "(^|;)${f}:" AND NOT f IN_LIST top)
    list(APPEND failed "include/fhops/${f}/ has no layering rule in tests/layering.cmake")
  endif()
endforeach()
if(failed)
  string(REPLACE ";" "\n" failed "${failed}")
  message(FATAL_ERROR "layering violations:\n${failed}")
endif()
message(STATUS "layering ok")
