// The .npy header: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// parsed by a small bounded parser for the literal subset numpy writes
// (strings, ints, True/False/None, tuples, lists, dicts). Never evaluates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/status.h"

namespace modelgate::scanners {

struct NpyHeader {
  // The dtype: a string such as "<f4", or for structured dtypes the literal
  // list text. `object` is true when any field's type is Python objects
  // ('O'), i.e. the data is a pickle.
  std::string descr;
  bool structured = false;
  bool object = false;
  bool fortran_order = false;
  std::vector<uint64_t> shape;
  // Bytes per element for plain (non-structured, non-object) dtypes; 0 when
  // unknown (structured dtypes, strings with no size, ...).
  uint64_t item_size = 0;
};

// Parses the dict literal. Errors name what is wrong: not a dict, missing or
// unexpected keys, nesting deeper than 32, a shape dimension that is not a
// non-negative integer.
Result<NpyHeader> ParseNpyHeader(std::string_view text);

}  // namespace modelgate::scanners
