// The Catch2 session of a test binary's main(). Catch2 v2 declares Catch::Session only where its
// whole implementation is compiled (CATCH_CONFIG_RUNNER), so the mains call this function instead,
// and the implementation is compiled once, in catch_impl.cpp, for both test binaries.
#pragma once

namespace fhops_test {

/// Runs the test cases the command line selects; returns the process's exit code.
int run_catch_session(int argc, char** argv);

}  // namespace fhops_test
