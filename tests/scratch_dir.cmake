# Included by the CTest scripts (self_contained.cmake, compile_checks.cmake): their scratch folder.
# Scratch files go to -DWORK_DIR; run by hand without it (cmake -P from a checkout), to a fresh
# folder under the temporary directory, never into the current one (the source tree).
if(NOT WORK_DIR)
  set(WORK_DIR "$ENV{TMPDIR}")
  if(NOT WORK_DIR)
    set(WORK_DIR "/tmp")
  endif()
  string(RANDOM LENGTH 10 scratch_tag)
  set(WORK_DIR "${WORK_DIR}/fhops-checks-${scratch_tag}")
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")
