// libFuzzer target for native/parser/http_parser.cc (linked directly, no N-API).
//
// Input layout: [cfg][seed][stream bytes ...]
//   cfg bit 0: response parser (else request)
//   cfg bit 1: lenient
//   cfg bit 2: small max_header_size (64 + seed * 4 bytes)
//   cfg bit 3: small max_chunk_extension_size (seed & 63)
//   cfg bit 4: require_host off
//   cfg bit 5: heads that ask for an upgrade pause the parser (HeadAction::kPause, or
//              kPauseAfterMessage when seed bit 3 is set)
//   cfg bit 6: response heads skip their body (as for a response to HEAD)
//   cfg bit 7: the split parse uses the scalar scanner and the Reset() parse the SIMD one
//              (otherwise the other way round): every input compares both scanners
//   seed: drives the split of the stream into Execute() calls
//
// Each iteration parses the stream twice, once whole and once split, and checks:
//   - Execute() never reports more bytes than it was given;
//   - once stopped (error or pause) it consumes nothing and emits nothing;
//   - the event stream (hashed) and the final error are identical whole vs split;
//   - body bytes of a Content-Length message never exceed the declared length,
//     and reach it exactly at completion;
//   - every span handed to the handler is readable (touched byte by byte; each chunk is its own
//     exact-size heap block so ASan flags a read past it) and either lies wholly inside the
//     current chunk or wholly outside it (a copy the parser owns);
//   - Reset() gives a parser that parses the same stream to the same events.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../native/parser/http_parser.h"

using uvhttp::HeadAction;
using uvhttp::HeaderField;
using uvhttp::HttpParser;
using uvhttp::MessageHead;
using uvhttp::ParseError;
using uvhttp::ParserLimits;
using uvhttp::Span;

#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      abort();                                                                  \
    }                                                                           \
  } while (0)

namespace {

struct Hash {
  uint64_t h = 1469598103934665603ull;
  void Byte(uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  }
  void Bytes(const char* p, size_t n) {
    for (size_t i = 0; i < n; i++) Byte(static_cast<uint8_t>(p[i]));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; i++) Byte(static_cast<uint8_t>(v >> (i * 8)));
  }
  void Tag(char t) { Byte(static_cast<uint8_t>(t)); }
};

class Recorder final : public HttpParser::Handler {
 public:
  Recorder(bool pause_upgrade, bool skip_body, bool strict, bool pause_after_message)
      : pause_upgrade_(pause_upgrade), pause_after_message_(pause_after_message), skip_body_(skip_body),
        strict_(strict) {}

  void SetChunk(const char* data, size_t len) {
    chunk_ = data;
    chunk_len_ = len;
  }

  HeadAction OnHead(const MessageHead& head) override {
    FUZZ_CHECK(!stopped_);
    FUZZ_CHECK(!in_message_);
    in_message_ = true;
    hash_.Tag('H');
    hash_.Byte(static_cast<uint8_t>(head.method));
    FUZZ_CHECK(static_cast<uint8_t>(head.method) <= static_cast<uint8_t>(uvhttp::Method::kCount));
    SpanIn(head.method_name, 'm');
    SpanIn(head.url, 'u');
    hash_.U64(head.status_code);
    SpanIn(head.reason, 'r');
    hash_.Byte(head.http_major);
    hash_.Byte(head.http_minor);
    FUZZ_CHECK(head.header_count == 0 || head.headers != nullptr);
    hash_.U64(head.header_count);
    for (uint32_t i = 0; i < head.header_count; i++) {
      SpanIn(head.headers[i].name, 'n');
      SpanIn(head.headers[i].value, 'v');
      FUZZ_CHECK(head.headers[i].name.len > 0);
    }
    hash_.Byte(head.keep_alive);
    hash_.Byte(head.upgrade);
    hash_.Byte(head.chunked);
    hash_.Byte(head.has_content_length);
    hash_.U64(head.has_content_length ? head.content_length : 0);
    // RFC 9112 §6.3: a strict parser rejects a head with both framings (request smuggling).
    if (strict_) FUZZ_CHECK(!(head.chunked && head.has_content_length));
    cl_limited_ = head.has_content_length && !head.chunked;
    // Responses without a body whatever their Content-Length says (RFC 9110 §6.4.1).
    no_body_status_ = head.status_code != 0 &&
                      (head.status_code < 200 || head.status_code == 204 || head.status_code == 304);
    cl_ = head.content_length;
    body_seen_ = 0;
    messages_++;
    if (head.upgrade && pause_upgrade_) {
      hash_.Tag('P');
      // Both hand-over points: at the end of the head, or after the message (and its body).
      return pause_after_message_ ? HeadAction::kPauseAfterMessage : HeadAction::kPause;
    }
    if (skip_body_ && head.status_code != 0) {
      hash_.Tag('S');
      skipping_ = true;
      return HeadAction::kSkipBody;
    }
    skipping_ = false;
    return HeadAction::kContinue;
  }

  void OnBody(const char* data, size_t len) override {
    FUZZ_CHECK(!stopped_);
    FUZZ_CHECK(in_message_);
    FUZZ_CHECK(!skipping_);
    FUZZ_CHECK(len > 0);
    Span s{data, static_cast<uint32_t>(len)};
    FUZZ_CHECK(len == s.len);
    Touch(data, len);
    // Body bytes are a stream: hashed without their boundaries, which depend on the split.
    hash_.Bytes(data, len);
    body_seen_ += len;
    if (cl_limited_) FUZZ_CHECK(body_seen_ <= cl_);
  }

  void OnMessageComplete(const HeaderField* trailers, uint32_t count) override {
    FUZZ_CHECK(!stopped_);
    FUZZ_CHECK(in_message_);
    in_message_ = false;
    if (cl_limited_ && !skipping_ && !no_body_status_) FUZZ_CHECK(body_seen_ == cl_);
    if (no_body_status_ || skipping_) FUZZ_CHECK(body_seen_ == 0);
    hash_.Tag('C');
    FUZZ_CHECK(count == 0 || trailers != nullptr);
    hash_.U64(count);
    for (uint32_t i = 0; i < count; i++) {
      SpanIn(trailers[i].name, 'n');
      SpanIn(trailers[i].value, 'v');
    }
    completes_++;
  }

  uint64_t hash() const { return hash_.h; }
  void Clear() {
    hash_ = Hash();
    skipping_ = stopped_ = in_message_ = cl_limited_ = false;
    cl_ = body_seen_ = 0;
  }
  void set_stopped(bool s) { stopped_ = s; }
  uint64_t messages() const { return messages_; }

 private:
  void Touch(const char* p, size_t n) {
    // Read every byte: ASan reports a span that reaches outside its allocation.
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++) sink ^= static_cast<uint8_t>(p[i]);
    (void)sink;
    // Wholly inside the current chunk, or wholly outside it.
    if (n > 0 && chunk_ != nullptr) {
      const char* lo = chunk_;
      const char* hi = chunk_ + chunk_len_;
      bool inside = p >= lo && p + n <= hi;
      bool outside = p + n <= lo || p >= hi;
      FUZZ_CHECK(inside || outside);
    }
  }
  void SpanIn(const Span& s, char tag) {
    hash_.Tag(tag);
    hash_.U64(s.len);
    if (s.len > 0) {
      FUZZ_CHECK(s.data != nullptr);
      Touch(s.data, s.len);
      hash_.Bytes(s.data, s.len);
    }
  }

  Hash hash_;
  bool pause_upgrade_;
  bool pause_after_message_;
  bool skip_body_;
  bool strict_;
  bool skipping_ = false;
  bool stopped_ = false;
  bool in_message_ = false;
  bool cl_limited_ = false;
  bool no_body_status_ = false;
  uint64_t cl_ = 0;
  uint64_t body_seen_ = 0;
  uint64_t messages_ = 0;
  uint64_t completes_ = 0;
  const char* chunk_ = nullptr;
  size_t chunk_len_ = 0;
};

struct Outcome {
  uint64_t hash;
  ParseError error;
  uint64_t error_offset;
  uint16_t error_status;
  bool paused;
  uint64_t bytes_parsed;
  ParseError finish;
};

struct Rng {
  uint64_t s;
  uint32_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<uint32_t>(s);
  }
};

// Feeds one chunk in its own exact-size heap block; returns bytes consumed.
size_t Feed(HttpParser& parser, Recorder& rec, const uint8_t* data, size_t len) {
  char* block = new char[len == 0 ? 1 : len];
  if (len) memcpy(block, data, len);
  rec.SetChunk(block, len);
  size_t n = parser.Execute(block, len);
  rec.SetChunk(nullptr, 0);
  delete[] block;
  FUZZ_CHECK(n <= len);
  bool stopped = parser.error() != ParseError::kOk || parser.paused();
  if (!stopped) FUZZ_CHECK(n == len);
  return n;
}

// After a stop, the parser must consume nothing and emit nothing.
void CheckStopped(HttpParser& parser, Recorder& rec) {
  static const uint8_t kMore[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n0\r\n\r\n";
  uint64_t before = rec.hash();
  rec.set_stopped(true);
  size_t n = Feed(parser, rec, kMore, sizeof(kMore) - 1);
  FUZZ_CHECK(n == 0);
  FUZZ_CHECK(rec.hash() == before);
  rec.set_stopped(false);
}

Outcome Finalize(HttpParser& parser, Recorder& rec, bool stopped) {
  Outcome o;
  o.error = parser.error();
  o.error_offset = o.error != ParseError::kOk ? parser.error_offset() : 0;
  o.error_status = o.error != ParseError::kOk ? parser.error_status() : 0;
  o.paused = parser.paused();
  o.bytes_parsed = parser.bytes_parsed();
  FUZZ_CHECK(uvhttp::ParseErrorCode(o.error) != nullptr);
  FUZZ_CHECK(parser.error_reason() != nullptr);
  if (stopped) {
    CheckStopped(parser, rec);
    o.finish = ParseError::kOk;
  } else {
    o.finish = parser.Finish();
  }
  o.hash = rec.hash();
  return o;
}

Outcome ParseWhole(HttpParser& parser, Recorder& rec, const uint8_t* data, size_t len,
                   uint64_t base = 0) {
  size_t n = Feed(parser, rec, data, len);
  bool stopped = parser.error() != ParseError::kOk || parser.paused();
  FUZZ_CHECK(stopped || n == len);
  // bytes_parsed() may or may not restart at Reset(); it must advance by what Execute returned.
  FUZZ_CHECK(parser.bytes_parsed() == n || parser.bytes_parsed() == base + n);
  return Finalize(parser, rec, stopped);
}

Outcome ParseSplit(HttpParser& parser, Recorder& rec, const uint8_t* data, size_t len, uint8_t seed) {
  Rng rng{0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(seed) * 0x100000001B3ull) ^ len};
  size_t off = 0;
  size_t total = 0;
  bool stopped = false;
  while (off < len) {
    uint32_t r = rng.Next();
    size_t max = (seed & 3) == 0 ? 1 : (seed & 3) == 1 ? 7 : (seed & 3) == 2 ? 64 : 1024;
    size_t take = 1 + (r % max);
    if ((r >> 24) == 0) take = 0;  // an empty Execute now and then
    if (take > len - off) take = len - off;
    if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "split chunk [%zu, %zu)\n", off, off + take);
    size_t n = Feed(parser, rec, data + off, take);
    total += n;
    if (parser.error() != ParseError::kOk || parser.paused()) {
      stopped = true;
      break;
    }
    off += take;
  }
  // Without an error every byte given was consumed. After an error bytes_parsed() is the error
  // offset, which may lie in an earlier chunk whose bytes were buffered (and counted) already.
  if (parser.error() == ParseError::kOk) FUZZ_CHECK(parser.bytes_parsed() == total);
  else FUZZ_CHECK(parser.bytes_parsed() <= total);
  return Finalize(parser, rec, stopped);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t cfg = data[0];
  const uint8_t seed = data[1];
  data += 2;
  size -= 2;

  const HttpParser::Type type = (cfg & 1) ? HttpParser::Type::kResponse : HttpParser::Type::kRequest;
  ParserLimits limits;
  limits.lenient = (cfg & 2) != 0;
  if (cfg & 4) limits.max_header_size = 64 + seed * 4u;
  if (cfg & 8) limits.max_chunk_extension_size = seed & 63;
  limits.require_host = (cfg & 16) == 0;
  const bool pause_upgrade = (cfg & 32) != 0;
  const bool skip_body = (cfg & 64) != 0 && type == HttpParser::Type::kResponse;

  Recorder whole_rec(pause_upgrade, skip_body, !limits.lenient, (seed & 8) != 0);
  HttpParser whole(type, &whole_rec, limits);
  Outcome a = ParseWhole(whole, whole_rec, data, size);

  Recorder split_rec(pause_upgrade, skip_body, !limits.lenient, (seed & 8) != 0);
  HttpParser split(type, &split_rec, limits);
  split.SetScalarScanForTesting((cfg & 128) != 0);
  Outcome b = ParseSplit(split, split_rec, data, size, seed);

  if (getenv("FUZZ_VERBOSE")) {
    fprintf(stderr, "whole: %s at %llu (status %u) paused %d finish %s hash %016llx\n",
            uvhttp::ParseErrorCode(a.error), static_cast<unsigned long long>(a.error_offset),
            a.error_status, a.paused, uvhttp::ParseErrorCode(a.finish), static_cast<unsigned long long>(a.hash));
    fprintf(stderr, "split: %s at %llu (status %u) paused %d finish %s hash %016llx\n",
            uvhttp::ParseErrorCode(b.error), static_cast<unsigned long long>(b.error_offset),
            b.error_status, b.paused, uvhttp::ParseErrorCode(b.finish), static_cast<unsigned long long>(b.hash));
  }
  FUZZ_CHECK(a.error == b.error);
  FUZZ_CHECK(a.error_offset == b.error_offset);
  FUZZ_CHECK(a.error_status == b.error_status);
  FUZZ_CHECK(a.paused == b.paused);
  FUZZ_CHECK(a.finish == b.finish);
  FUZZ_CHECK(a.hash == b.hash);
  if (a.error != ParseError::kOk || a.paused) FUZZ_CHECK(a.bytes_parsed == b.bytes_parsed);

  // Reset() must give a clean parser: after a half-parsed message (or a response head when this
  // is a request parser, i.e. an error), the same stream gives the same events again.
  Recorder again_rec(pause_upgrade, skip_body, !limits.lenient, (seed & 8) != 0);
  HttpParser reused(type, &again_rec, limits);
  reused.SetScalarScanForTesting((cfg & 128) == 0);
  {
    static const char kWarm[] =
        "GET /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";
    static const char kWarmResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab";
    const char* warm = (seed & 4) ? kWarm : kWarmResponse;
    Feed(reused, again_rec, reinterpret_cast<const uint8_t*>(warm), strlen(warm));
    reused.Reset();
    FUZZ_CHECK(reused.error() == ParseError::kOk);
    FUZZ_CHECK(!reused.paused());
    again_rec.Clear();
  }
  Outcome c = ParseWhole(reused, again_rec, data, size, /*base=*/reused.bytes_parsed());
  FUZZ_CHECK(c.hash == a.hash);
  FUZZ_CHECK(c.error == a.error);
  FUZZ_CHECK(c.paused == a.paused);
  FUZZ_CHECK(c.finish == a.finish);
  return 0;
}
