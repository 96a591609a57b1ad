#include "parser_probe.h"

namespace uvhttp {
void InitParserProbe(Napi::Env env, Napi::Object exports) {}
}  // namespace uvhttp
