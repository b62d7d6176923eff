// The suite's entry point; Catch2's implementation is compiled once in catch_impl.cpp (shared with
// the MPI test binary).
#include "catch_runner.hpp"

int main(int argc, char** argv) { return fhops_test::run_catch_session(argc, argv); }
