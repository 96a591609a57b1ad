#include <napi.h>

#include "parser_probe.h"

namespace uvhttp {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitParserProbe(env, exports);
  return exports;
}

}  // namespace uvhttp

NODE_API_MODULE(uvhttp, uvhttp::Init)
