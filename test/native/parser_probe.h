// A test surface for the parser: lets jest fixtures drive HttpParser from JS. Built as an addon
// of its own for the tests (test/native/binding.gyp); not part of the production addon.
//
// InitParserProbe adds to the probe addon's exports:
//
//   class ParserProbe
//     new ParserProbe(type: 'request' | 'response',
//                     opts?: { maxHeaderSize?: number, maxChunkExtensionSize?: number,
//                              lenient?: boolean, requireHost?: boolean,
//                              scalar?: boolean /* portable scanner instead of SSE2/NEON */ })
//     execute(buf: Buffer): number     bytes consumed (fewer than buf.length on error/pause)
//     finish(): string | null          the peer closed: error code (e.g. 'HPE_INVALID_EOF_STATE')
//     takeEvents(): Event[]            events recorded since the last call
//     error: null | { code: string, reason: string, offset: number, status: number }
//                                      a GETTER (not getError()); offset is stream-absolute
//     paused: boolean, idle: boolean, bytesParsed: number      getters
//     resume(): void; reset(): void
//     setHeadAction('continue' | 'skipBody' | 'pause' | 'pauseAfterMessage'): void
//                                      applies to the heads parsed after the call
//
//   Event = { type: 'head', method: string ('' for responses), url: string, statusCode: number,
//             reason: string, versionMajor: number, versionMinor: number,
//             headers: string[] (flat [name, value, ...], latin1), keepAlive: boolean,
//             upgrade: boolean, chunked: boolean, contentLength: number | null }
//         | { type: 'body', data: Buffer }      (a copy; consecutive pieces are merged, so the
//                                                events do not depend on how input was split)
//         | { type: 'complete', trailers: string[] }
//
//   parserBench(type: 'request' | 'response', input: Buffer, iterations: number): number
//     parses `input` (whole messages) `iterations` times in C++ with Reset() in between and a
//     handler that touches every field; returns total nanoseconds (steady_clock). Throws if the
//     input does not parse.
#pragma once

#include <napi.h>

namespace uvhttp {

void InitParserProbe(Napi::Env env, Napi::Object exports);

}  // namespace uvhttp
