// The header field names that arrive on almost every request. A request head passes such a name
// to JS as its index in this list (a small integer costs no allocation) and JS substitutes the
// string, which it took from fieldNames() once; other names travel as strings. Names in
// rawHeaders keep their wire spelling, so each spelling is its own entry.
#pragma once

#include <napi.h>

#include <cstddef>

namespace uvhttp {

// The index of a common name, or -1.
int FindFieldName(const char* data, size_t length);

// The list as a JS array of strings, for lib/ to map indices back to names.
Napi::Array FieldNameList(Napi::Env env);

}  // namespace uvhttp
