// The N-API surface of the server core: every function lib/ calls, in one place.
#pragma once

#include <napi.h>

namespace uvhttp {

void InitBridge(Napi::Env env, Napi::Object exports);

}  // namespace uvhttp
