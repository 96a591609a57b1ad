// The parser follows the llhttp of the Node it runs in where llhttp versions read the same bytes
// differently (docs/PARSER.md "Differences between Node lines"). Chosen from
// process.versions.llhttp, read once per process: one process runs one Node.
#pragma once

#include <napi.h>

#include "parser/http_parser.h"

namespace uvhttp {

// Sets the fields of `limits` that depend on the running Node's llhttp.
void ApplyLlhttpDialect(Napi::Env env, ParserLimits* limits);

}  // namespace uvhttp
