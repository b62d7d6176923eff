// Catch2's implementation (CATCH_CONFIG_RUNNER: everything but main), compiled once for both test
// binaries: it is the costliest unit of Catch2 (~12 s of CPU at -O1), and each binary compiled its
// own copy before. Each binary's main.cpp calls run_catch_session.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "catch_runner.hpp"

int fhops_test::run_catch_session(int argc, char** argv) { return Catch::Session().run(argc, argv); }
