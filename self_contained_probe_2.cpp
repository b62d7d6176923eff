#include "fhops/util/yaml_file.hpp"
