// The parser probe as an addon of its own, built for the tests only (test/native/build-probe.js):
// the production addon does not carry it.
#include <napi.h>

#include "parser_probe.h"

static Napi::Object InitProbeAddon(Napi::Env env, Napi::Object exports) {
  uvhttp::InitParserProbe(env, exports);
  return exports;
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitProbeAddon)
