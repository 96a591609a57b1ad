// A test and benchmark surface for the parser: lets jest fixtures and the parser
// micro-benchmark drive HttpParser from JS. Not used by the server path.
#pragma once

#include <napi.h>

namespace uvhttp {

void InitParserProbe(Napi::Env env, Napi::Object exports);

}  // namespace uvhttp
