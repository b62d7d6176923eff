// The suite's entry point; Catch2's implementation is compiled once in catch_impl.cpp (shared with
// the MPI test binary).
#include <catch2/catch.hpp>

int main(int argc, char** argv) { return Catch::Session().run(argc, argv); }
