# CTest driver: install fhops into a scratch prefix, configure and build tests/downstream against
# it, and run the consumer on the demo scenario. Arguments: -DSOURCE_DIR -DBINARY_DIR -DGENERATOR.
set(prefix ${BINARY_DIR}/downstream-install)
set(build ${BINARY_DIR}/downstream-build)
file(REMOVE_RECURSE ${prefix} ${build})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix} RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/downstream -B ${build} -G ${GENERATOR}
                        -DCMAKE_PREFIX_PATH=${prefix} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the downstream project failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${build} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the downstream project failed: ${rc}")
endif()
execute_process(COMMAND ${build}/consumer ${SOURCE_DIR}/examples/scenarios/demo/scenario.yaml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message(STATUS "${out}")
if(rc OR NOT out MATCHES "greedy objective -.*solved objective")
  message(FATAL_ERROR "the downstream consumer failed: ${rc} ${out}")
endif()
