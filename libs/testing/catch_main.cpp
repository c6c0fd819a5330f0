// The Catch2 runner shared by every test binary. Catch2 prints the random seed of a run
// ("Randomness seeded to: N"); rerun a failure with --rng-seed N.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
