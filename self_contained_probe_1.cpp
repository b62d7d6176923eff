#include "fhops/util/threads.hpp"
