#include <napi.h>

#include "bridge.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  uvhttp::InitBridge(env, exports);
  return exports;
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitAddon)
