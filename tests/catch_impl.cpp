// Catch2's implementation (CATCH_CONFIG_RUNNER: everything but main), compiled once for both test
// binaries: it is the costliest unit of Catch2 (~20 s of CPU at -O1), and each binary compiled its
// own copy before. Each binary's main.cpp only calls Catch::Session.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
