#include "llhttp_dialect.h"

#include <cstdio>
#include <string>

namespace uvhttp {
namespace {

struct Dialect {
  bool trailing_htab_is_ows;
};

Dialect Read(Napi::Env env) {
  unsigned major = 0, minor = 0;
  Napi::Value versions = env.Global().Get("process").As<Napi::Object>().Get("versions");
  if (versions.IsObject()) {
    Napi::Value llhttp = versions.As<Napi::Object>().Get("llhttp");
    if (llhttp.IsString()) std::sscanf(llhttp.As<Napi::String>().Utf8Value().c_str(), "%u.%u", &major, &minor);
  }
  // Seen on the tested lines: 9.3.1 (Node 20) keeps a trailing HTAB; 9.4.3 and 9.4.4 (Node 22,
  // 24, 26) read it as OWS in Content-Length and Connection. 9.4.0 is taken as the turn.
  return Dialect{major > 9 || (major == 9 && minor >= 4)};
}

}  // namespace

void ApplyLlhttpDialect(Napi::Env env, ParserLimits* limits) {
  static const Dialect dialect = Read(env);  // thread-safe initialisation; workers share it
  limits->trailing_htab_is_ows = dialect.trailing_htab_is_ows;
}

}  // namespace uvhttp
