// HTTP/1.x parser. Design notes and strictness decisions: docs/PARSER.md.
//
// Shape: a head (or trailer section) is processed line by line. A vector scan finds the first
// "special" byte of a line (a CTL other than HTAB, or DEL; in lenient mode NUL/CR/LF only);
// when it is CR LF the line is complete and is parsed in one pass with table lookups, knowing
// that no control byte hides in it. Field values therefore need no further per-byte work.
// Scan progress is kept across Execute calls (scan_pos_), so a head trickling in one byte per
// read costs linear time. A head that is not whole in one input is accumulated in head_buffer_
// (at most RawCap() bytes); spans then point into that buffer, otherwise into the input.
// Bodies are handed out zero-copy from the input. Chunk-size lines, being short, go through a
// small per-byte state machine.
#include "http_parser.h"

#include <cstring>

#include "char_tables.h"
#include "scan.h"

namespace uvhttp {

namespace {

using chars::Is;

enum Phase : uint8_t {
  kIdle = 0,         // between messages; CRLFs here are skipped (RFC 9112 §2.2)
  kIdleCr,           // saw CR between messages
  kHead,             // in a head section
  kBodyLength,       // Content-Length body, remaining_ bytes left
  kBodyEof,          // body until the connection closes (responses)
  kChunkLine,        // chunk-size line (chunk_state_)
  kChunkData,        // chunk data, remaining_ bytes left
  kChunkDataCr,      // CR after chunk data
  kChunkDataLf,      // LF after chunk data
  kTrailers,         // trailer section
  kCompletePending,  // message without (more) body, completion held back by a pause
  kClosed,           // after a message that closes the connection
};

enum ChunkState : uint8_t {
  kCsStart = 0, kCsSize, kCsWs, kCsExtBws, kCsExtName, kCsExtNameWs, kCsExtValBws, kCsExtTok,
  kCsExtQuoted, kCsExtQPair, kCsExtAfterVal, kCsExtValWs, kCsLf,
};

struct MethodName {
  const char* name;
  uint8_t len;
};

// In Method enum order.
constexpr MethodName kMethods[] = {
    {"ACL", 3},        {"BIND", 4},       {"CHECKOUT", 8},  {"CONNECT", 7},   {"COPY", 4},
    {"DELETE", 6},     {"GET", 3},        {"HEAD", 4},      {"LINK", 4},      {"LOCK", 4},
    {"M-SEARCH", 8},   {"MERGE", 5},      {"MKACTIVITY", 10}, {"MKCALENDAR", 10},
    {"MKCOL", 5},      {"MOVE", 4},       {"NOTIFY", 6},    {"OPTIONS", 7},   {"PATCH", 5},
    {"POST", 4},       {"PROPFIND", 8},   {"PROPPATCH", 9}, {"PURGE", 5},     {"PUT", 3},
    {"QUERY", 5},      {"REBIND", 6},     {"REPORT", 6},    {"SEARCH", 6},    {"SOURCE", 6},
    {"SUBSCRIBE", 9},  {"TRACE", 5},      {"UNBIND", 6},    {"UNLINK", 6},    {"UNLOCK", 6},
    {"UNSUBSCRIBE", 11},
};
static_assert(sizeof(kMethods) / sizeof(kMethods[0]) == static_cast<size_t>(Method::kCount),
              "method table out of sync with the enum");
constexpr size_t kMaxMethodLen = 11;

inline bool Eq(const char* p, const char* lit, size_t n) { return std::memcmp(p, lit, n) == 0; }

// Exact lookup: by length, then by first byte, then memcmp.
int LookupMethod(const char* p, size_t n) {
  if (n == 3) {
    if (Eq(p, "GET", 3)) return static_cast<int>(Method::kGet);
    if (Eq(p, "PUT", 3)) return static_cast<int>(Method::kPut);
    if (Eq(p, "ACL", 3)) return static_cast<int>(Method::kAcl);
    return -1;
  }
  if (n == 4) {
    if (Eq(p, "POST", 4)) return static_cast<int>(Method::kPost);
    if (Eq(p, "HEAD", 4)) return static_cast<int>(Method::kHead);
  }
  if (n == 0 || n > kMaxMethodLen) return -1;
  for (size_t i = 0; i < static_cast<size_t>(Method::kCount); i++) {
    if (kMethods[i].len == n && kMethods[i].name[0] == p[0] && Eq(p, kMethods[i].name, n))
      return static_cast<int>(i);
  }
  return -1;
}

// Length of the longest prefix of p[0..n) that is a prefix of some method name.
size_t MethodPrefixLen(const char* p, size_t n) {
  size_t best = 0;
  for (const MethodName& m : kMethods) {
    size_t k = 0;
    while (k < n && k < m.len && p[k] == m.name[k]) k++;
    if (k > best) best = k;
  }
  return best;
}

// Case-insensitive compare of a token against a lower-case literal of the same length. Only
// letters alias under |0x20 among token characters, so this is exact for tokens.
// (The literals hold only lower-case letters and "-"; "-" | 0x20 is "-", and the only other byte
// that maps to it, CR, never occurs in a name or value.) Compared a word at a time.
inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint16_t Load16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline bool IsCrlf(const char* p) { return Load16(p) == Load16("\r\n"); }
inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline bool TokenEq(const char* p, const char* lower, size_t n) {
  constexpr uint64_t k20 = 0x2020202020202020ull;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if ((Load64(p + i) | k20) != Load64(lower + i)) return false;
    }
    return (Load64(p + n - 8) | k20) == Load64(lower + n - 8);
  }
  if (n >= 4) {
    return (Load32(p) | 0x20202020u) == Load32(lower) &&
           (Load32(p + n - 4) | 0x20202020u) == Load32(lower + n - 4);
  }
  for (size_t i = 0; i < n; i++) {
    if ((static_cast<uint8_t>(p[i]) | 0x20) != static_cast<uint8_t>(lower[i])) return false;
  }
  return true;
}

// The field names whose semantics the parser applies (RFC 9110 §7.2, §7.6.1, §7.8, §8.6;
// RFC 9112 §6.1), by length first, then one case-insensitive compare.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline bool IsSemanticName(const char* name, size_t n) {
  // One bit test turns away most names (it runs for every field line of a head).
  constexpr uint32_t kLengths = 1u << 4 | 1u << 7 | 1u << 10 | 1u << 14 | 1u << 17;
  if (n >= 32 || !((kLengths >> n) & 1)) return false;
  switch (n) {
    case 4: return TokenEq(name, "host", 4);
    case 7: return TokenEq(name, "upgrade", 7);
    case 10: return TokenEq(name, "connection", 10);
    case 14: return TokenEq(name, "content-length", 14);
    case 17: return TokenEq(name, "transfer-encoding", 17);
    default: return false;
  }
}

inline bool IsOws(char c) { return c == ' ' || c == '\t'; }

// Inside a field line with obs-fold continuations (lenient mode) every CR and LF is part of a
// line break before a continuation, so the value's edges are trimmed across them too.
inline bool IsFoldWs(char c) { return IsOws(c) || c == '\r' || c == '\n'; }

// The CR and LF bytes of b[from, to): the line breaks of a folded field line.
inline size_t LineBreakBytes(const char* b, size_t from, size_t to) {
  size_t n = 0;
  for (size_t k = from; k < to; k++) n += b[k] == '\r' || b[k] == '\n';
  return n;
}

// RFC 3986 authority restricted as RFC 9110 §4.2 / §7.2 use it: host [":" port], no userinfo.
// Returns -1 when valid, else the index of the first offending byte (n for "ended too soon").
// Decisions: an empty host is only accepted as a wholly empty value (allow_empty); a ":"
// must be followed by 1 to 5 digits.
long ValidateAuthority(const char* p, size_t n, bool require_port, bool allow_empty) {
  if (n == 0) return allow_empty ? -1 : 0;
  size_t i = 0;
  if (p[0] == '[') {
    i = 1;
    if (i < n && (p[i] == 'v' || p[i] == 'V')) {  // IPvFuture
      i++;
      size_t h = i;
      while (i < n && chars::Hex(static_cast<uint8_t>(p[i])) >= 0) i++;
      if (i == h) return static_cast<long>(i);
      if (i >= n || p[i] != '.') return static_cast<long>(i);
      i++;
      size_t q = i;
      while (i < n && (Is(static_cast<uint8_t>(p[i]), chars::kHostChar) || p[i] == ':')) i++;
      if (i == q) return static_cast<long>(i);
    } else {  // IPv6address (shape only: hex digits, colons, dots for an embedded IPv4)
      size_t q = i;
      while (i < n && (chars::Hex(static_cast<uint8_t>(p[i])) >= 0 || p[i] == ':' || p[i] == '.'))
        i++;
      if (i - q < 2) return static_cast<long>(i);
    }
    if (i >= n || p[i] != ']') return static_cast<long>(i);
    i++;
  } else {
    while (i < n) {
      uint8_t c = static_cast<uint8_t>(p[i]);
      if (Is(c, chars::kHostChar)) {
        i++;
      } else if (c == '%') {
        if (i + 2 >= n || chars::Hex(static_cast<uint8_t>(p[i + 1])) < 0 ||
            chars::Hex(static_cast<uint8_t>(p[i + 2])) < 0)
          return static_cast<long>(i);
        i += 3;
      } else {
        break;
      }
    }
    if (i == 0) return 0;
  }
  if (i == n) return require_port ? static_cast<long>(n) : -1;
  if (p[i] != ':') return static_cast<long>(i);
  i++;
  size_t ps = i;
  while (i < n && chars::IsDigit(p[i])) i++;
  if (i == ps) return static_cast<long>(i);
  if (i - ps > 5) return static_cast<long>(ps + 5);
  if (i != n) return static_cast<long>(i);
  return -1;
}

// "<1-16 hex digits>\r\n" whole at data[pos..len): returns the index after the LF and the size,
// or 0 when the line is anything else (extensions, split, invalid: the state machine decides).
inline size_t FastChunkSize(const char* data, size_t pos, size_t len, uint64_t* size_out) {
  if (len - pos >= 6) {
    // Up to 4 digits (sizes below 64 KiB), unrolled by the compiler; d[k + 1] stays in bounds.
    const uint8_t* d = reinterpret_cast<const uint8_t*>(data) + pos;
    int h = chars::Hex(d[0]);
    if (h < 0) return 0;
    uint64_t size = static_cast<uint64_t>(h);
    size_t k = 1;
    for (; k < 4; k++) {
      const int x = chars::Hex(d[k]);
      if (x < 0) break;
      size = (size << 4) | static_cast<uint64_t>(x);
    }
    if (d[k] == '\r' && d[k + 1] == '\n') {
      *size_out = size;
      return pos + k + 2;
    }
    if (k < 4) return 0;
  }
  size_t k = pos;
  uint64_t size = 0;
  const size_t lim = len - pos > 17 ? pos + 17 : len;
  while (k < lim) {
    const int h = chars::Hex(static_cast<uint8_t>(data[k]));
    if (h < 0) break;
    size = size * 16 + static_cast<uint64_t>(h);
    k++;
  }
  if (k > pos && k - pos <= 16 && k + 1 < len && data[k] == '\r' && data[k + 1] == '\n') {
    *size_out = size;
    return k + 2;
  }
  return 0;
}

// Value of a hex digit c (one that chars::Hex accepts): the low nibble, plus 9 for a letter
// (bit 6 set). Arithmetic rather than a table lookup: on the chunk loop's path from one chunk
// to the next, a lookup would add a load's latency.
inline uint64_t HexDigitValue(uint8_t c) { return (c & 0xfu) + 9u * (c >> 6); }

// "\r\n<1-4 hex digits>\r\n" at p[0..8): returns its length and the size, or 0 for anything
// else (more digits, extensions, errors: the general states decide).
inline size_t CrlfChunkSize(const char* p, uint64_t* size_out) {
  if (!IsCrlf(p)) return 0;
  const uint8_t* d = reinterpret_cast<const uint8_t*>(p) + 2;
  // The digits are recognised by the table; the value of each is computed on its own and the
  // size assembled as a tree, so the digits do not form a chain.
  if (chars::Hex(d[0]) < 0) return 0;
  const uint64_t h0 = HexDigitValue(d[0]);
  size_t k;
  uint64_t size;
  if (chars::Hex(d[1]) < 0) {
    k = 1;
    size = h0;
  } else if (chars::Hex(d[2]) < 0) {
    k = 2;
    size = h0 << 4 | HexDigitValue(d[1]);
  } else if (chars::Hex(d[3]) < 0) {
    k = 3;
    size = h0 << 8 | (HexDigitValue(d[1]) << 4 | HexDigitValue(d[2]));
  } else {
    k = 4;
    size = (h0 << 12 | HexDigitValue(d[1]) << 8) | (HexDigitValue(d[2]) << 4 | HexDigitValue(d[3]));
  }
  // d[k + 1] is p[k + 3], at most p[7].
  if (!IsCrlf(p + 2 + k)) return 0;
  *size_out = size;
  return k + 4;
}

}  // namespace

const char* ParseErrorCode(ParseError error) {
  switch (error) {
    case ParseError::kOk: return "HPE_OK";
    case ParseError::kInvalidMethod: return "HPE_INVALID_METHOD";
    case ParseError::kInvalidUrl: return "HPE_INVALID_URL";
    case ParseError::kInvalidConstant: return "HPE_INVALID_CONSTANT";
    case ParseError::kInvalidVersion: return "HPE_INVALID_VERSION";
    case ParseError::kInvalidStatus: return "HPE_INVALID_STATUS";
    case ParseError::kInvalidHeaderToken: return "HPE_INVALID_HEADER_TOKEN";
    case ParseError::kInvalidContentLength: return "HPE_INVALID_CONTENT_LENGTH";
    case ParseError::kUnexpectedContentLength: return "HPE_UNEXPECTED_CONTENT_LENGTH";
    case ParseError::kInvalidTransferEncoding: return "HPE_INVALID_TRANSFER_ENCODING";
    case ParseError::kInvalidChunkSize: return "HPE_INVALID_CHUNK_SIZE";
    case ParseError::kHeaderOverflow: return "HPE_HEADER_OVERFLOW";
    case ParseError::kChunkExtensionsOverflow: return "HPE_CHUNK_EXTENSIONS_OVERFLOW";
    case ParseError::kStrict: return "HPE_STRICT";
    case ParseError::kCrExpected: return "HPE_CR_EXPECTED";
    case ParseError::kLfExpected: return "HPE_LF_EXPECTED";
    case ParseError::kInvalidEofState: return "HPE_INVALID_EOF_STATE";
    case ParseError::kClosedConnection: return "HPE_CLOSED_CONNECTION";
    case ParseError::kUnexpectedSpace: return "HPE_UNEXPECTED_SPACE";
  }
  return "HPE_UNKNOWN";
}

HttpParser::HttpParser(Type type, Handler* handler, const ParserLimits& limits)
    : type_(type), handler_(handler) {
  SetLimits(limits);
  Reset();
}

namespace {
// Field storage between sections, per thread (each environment parses on its own thread): a
// parser takes one when a head starts and gives it back when the head is delivered, so a busy
// connection allocates nothing per message and an idle one holds nothing. Storage grown past
// kMaxSpareFields by one huge head goes back to the allocator instead.
constexpr size_t kInitialFields = 32;
constexpr size_t kMaxSpareFields = 1024;
constexpr size_t kMaxSpares = 64;
struct FieldSpares {
  std::vector<HeaderField> spares[kMaxSpares];
  size_t count = 0;
  bool open = true;  // false once the thread is exiting
  ~FieldSpares() { open = false; }
};
thread_local FieldSpares field_spares;
}  // namespace

void HttpParser::GrowFields() {
  if (fields_.empty()) {
    if (field_spares.count > 0) fields_.swap(field_spares.spares[--field_spares.count]);
    else fields_.resize(kInitialFields);
    return;
  }
  fields_.resize(fields_.size() * 2);
}

void HttpParser::ReleaseFields() {
  if (fields_.empty()) return;
  if (fields_.size() <= kMaxSpareFields && field_spares.open && field_spares.count < kMaxSpares) {
    fields_.swap(field_spares.spares[field_spares.count++]);
  }
  std::vector<HeaderField>().swap(fields_);
}

void HttpParser::SetLimits(const ParserLimits& limits) {
  limits_ = limits;
  // One flag for the scans to test: lenient mode relaxes the field values too.
  limits_.lenient_field_values = limits.lenient || limits.lenient_field_values;
  uint64_t cap = static_cast<uint64_t>(limits_.max_header_size) * 2 + 1024;
  if (cap > 0x7fffffffu) cap = 0x7fffffffu;
  raw_cap_ = static_cast<size_t>(cap);
  max_fields_ = limits_.max_header_fields != 0 ? limits_.max_header_fields : UINT32_MAX;
  SetScalarScanForTesting(scalar_);
}

void HttpParser::Reset() {
  phase_ = kIdle;
  paused_ = false;
  error_ = ParseError::kOk;
  error_status_ = 0;
  error_reason_ = "";
  error_offset_ = 0;
  consumed_ = 0;
  head_buffer_.clear();
  sec_buffered_ = false;
  field_count_ = 0;
  keep_alive_ = true;
  upgrade_ = false;
  pause_after_msg_ = false;
  remaining_ = 0;
  chunk_state_ = kCsStart;
  ext_count_ = 0;
}

void HttpParser::SetScalarScanForTesting(bool scalar) {
  scalar_ = scalar;
#ifdef UVHTTP_PARSER_SIMD
  fast_head_ = type_ == Type::kRequest && !limits_.lenient_field_values && !scalar_;
#else
  fast_head_ = false;  // FastHead is built on the vector scans
#endif
}

void HttpParser::Resume() { paused_ = false; }
void HttpParser::RequestPauseAfterMessage() { pause_after_msg_ = true; }
ParseError HttpParser::error() const { return error_; }
const char* HttpParser::error_reason() const { return error_reason_; }
uint64_t HttpParser::error_offset() const { return error_offset_; }
uint16_t HttpParser::error_status() const { return error_status_; }
bool HttpParser::paused() const { return paused_; }
bool HttpParser::idle() const {
  return phase_ == kIdle || phase_ == kIdleCr || phase_ == kClosed;
}
uint64_t HttpParser::bytes_parsed() const { return consumed_; }

bool HttpParser::Fail(ParseError e, uint64_t abs_offset, const char* reason, uint16_t status) {
  error_ = e;
  error_offset_ = abs_offset;
  error_reason_ = reason;
  error_status_ = status;
  return false;
}

size_t HttpParser::RawCap() const { return raw_cap_; }

size_t HttpParser::FindSpecial(const char* base, size_t from, size_t to) const {
  // LENIENT (llhttp lenient_headers): only NUL, CR and LF end a clean run, so other control
  // characters and DEL pass in field values and the reason phrase (names, methods, targets and
  // versions are still checked against their own tables). Reopens header injection / response
  // splitting through hops that treat such bytes as separators, and log/terminal injection.
  // httpValidation 'relaxed' asks for this relaxation alone (lenient_field_values).
  return scan::FindSpecial(base, from, to, limits_.lenient_field_values, scalar_);
}

void HttpParser::BeginSection(uint64_t abs_start, bool trailers) {
  sec_buffered_ = false;
  sec_trailers_ = trailers;
  start_line_done_ = trailers;
  sec_start_ = abs_start;
  line_start_ = 0;
  scan_pos_ = 0;
  lc_name_ = lc_colon_ = lc_ows_ = lc_url_ = 0;
  counted_ = 0;  // Node resets header_nread_ at the end of a head and at each chunk header
  field_count_ = 0;
  line_folded_ = false;
  fold_breaks_ = 0;
  if (!folded_fields_.empty()) {
    folded_fields_.clear();
    fold_buffer_.clear();
    if (fold_buffer_.capacity() > 64 * 1024) fold_buffer_.shrink_to_fit();
  }
  if (!trailers) {
    has_cl_ = te_present_ = te_chunked_seen_ = te_chunked_last_ = false;
    conn_close_ = conn_keep_alive_ = conn_upgrade_ = has_upgrade_ = false;
    host_count_ = 0;
    cl_ = 0;
    te_unknown_at_ = -1;
    status_code_ = 0;
    url_off_ = url_len_ = reason_off_ = reason_len_ = method_off_ = method_len_ = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Head lines

HttpParser::SectionResult HttpParser::ProcessLines(const char* base, size_t avail,
                                                   size_t* section_len) {
  const size_t cap = RawCap();
  const size_t lim = avail < cap ? avail : cap;
  readable_ = avail;
  for (;;) {
    const size_t ls = line_start_;
    if (start_line_done_ && scan_pos_ <= ls) {
      const int fast = TryFastFieldLine(base, ls, lim);
      if (fast > 0) continue;
      if (fast < 0) return kSectionError;
    }
    size_t from = scan_pos_ > ls ? scan_pos_ : ls;
    size_t p = FindSpecial(base, from, lim);
    size_t content_end, next;
    // The line is not complete in the input: bytes up to `scanned` are checked and known free
    // of special bytes; the rest of the line is awaited (or the section is over the cap).
    auto more = [&](size_t scanned) {
      scan_pos_ = static_cast<uint32_t>(scanned);
      if (!CheckPartial(base, ls, scanned, avail > cap)) return kSectionError;
      if (avail > cap) {
        Fail(ParseError::kHeaderOverflow, sec_start_ + cap, "Header section too large",
             (!start_line_done_ && type_ == Type::kRequest) ? 414 : 431);
        return kSectionError;
      }
      return kSectionMore;
    };
    if (p == lim) return more(lim);
    const char c = base[p];
    if (c == '\r') {
      if (p + 1 >= lim) return more(p);
      if (base[p + 1] != '\n') {
        // Bare CR (RFC 9112 §2.2). Not relaxed even in lenient mode: CR-only line ends are
        // read differently by different hops.
        if (!ParseLine(base, ls, p, kLinePartial)) return kSectionError;
        BareCr(base, ls, p);
        return kSectionError;
      }
      content_end = p;
      next = p + 2;
    } else if (c == '\n') {
      if (!limits_.lenient) {
        if (!ParseLine(base, ls, p, kLinePartial)) return kSectionError;
        // Codes as llhttp reports a bare LF: after the request line as a version error, after
        // the status line as HPE_CR_EXPECTED past the LF (llhttp's "Missing expected CR after
        // response line"), as the blank line ending the head as a header token error, else
        // HPE_CR_EXPECTED.
        if (!start_line_done_ && type_ == Type::kResponse)
          Fail(ParseError::kCrExpected, sec_start_ + p + 1, "Missing expected CR after response line");
        else if (!start_line_done_)
          Fail(ParseError::kInvalidVersion, sec_start_ + p, "Expected CRLF after version");
        else if (p == ls)
          Fail(ParseError::kInvalidHeaderToken, sec_start_ + p, "Expected CR before LF");
        else
          Fail(ParseError::kCrExpected, sec_start_ + p, "Expected CR before LF");
        return kSectionError;
      }
      // LENIENT (llhttp lenient_optional_cr_before_lf): a bare LF ends a line. Reopens
      // request smuggling through a front end that does not treat LF alone as a line end and
      // forwards a "header" this parser splits in two.
      content_end = p;
      next = p + 1;
    } else {
      ParseLine(base, ls, p, kLineBadEnd);
      return kSectionError;
    }
    if (limits_.lenient && start_line_done_ && content_end != ls) {
      // LENIENT (llhttp lenient_headers): obs-fold (RFC 9112 §5.2). A field line followed by
      // a line that starts with SP or HTAB goes on on that line; the value handed out has the
      // line breaks removed and the whitespace kept, as Node's. Reopens header smuggling
      // through hops that read the continuation as a field of its own, or drop it.
      if (next >= lim) return more(p);  // the next line's first byte decides
      if (IsOws(base[next])) {
        if (!ParseFieldLine(base, ls, content_end, kLinePartial)) return kSectionError;
        if (lc_colon_ > ls) {  // a field line (without a colon it is an error as it stands)
          line_folded_ = true;
          // Once the value has begun (lc_ows_: its first byte), its line breaks are not counted.
          if (lc_ows_ < content_end) fold_breaks_ += static_cast<uint32_t>(next - content_end);
          scan_pos_ = static_cast<uint32_t>(next);
          continue;
        }
      }
    }
    if (content_end == ls) {
      if (!start_line_done_) {
        Fail(type_ == Type::kRequest ? ParseError::kInvalidMethod : ParseError::kInvalidConstant,
             sec_start_ + ls, "Empty start line");
        return kSectionError;
      }
      *section_len = next;
      return kSectionDone;
    }
    if (!ParseLine(base, ls, content_end, kLineComplete)) return kSectionError;
    line_start_ = static_cast<uint32_t>(next);
    scan_pos_ = static_cast<uint32_t>(next);
    lc_name_ = lc_colon_ = lc_ows_ = lc_url_ = 0;
    line_folded_ = false;
    fold_breaks_ = 0;
  }
}

// Fast path for the usual complete field line, "Name: value\r\n" with an alphanumeric/dash name
// shorter than 16 bytes, whole in the buffer and under the limits. It either records the line
// exactly as ParseFieldLine(kLineComplete) would and returns true, or changes nothing and
// returns 0 (the general path then handles the line, including every error); -1 when the
// field's semantics fail (error set by FieldSemantics, shared with the general path).
int HttpParser::TryFastFieldLine(const char* b, size_t ls, size_t lim) {
  if (scalar_ || limits_.lenient_field_values || ls + 16 > readable_) return 0;
  const size_t k = scan::SimpleNameLen(b + ls);
  if (k == 0 || k >= 16 || b[ls + k] != ':') return 0;
  size_t v = ls + k + 1;
  while (v < lim && IsOws(b[v])) v++;
  const size_t p = FindSpecial(b, v, lim);
  if (p + 1 >= lim || b[p] != '\r' || b[p + 1] != '\n') return 0;
  const uint64_t cnt = static_cast<uint64_t>(counted_) + k + (p - v);
  if (cnt >= limits_.max_header_size || field_count_ >= max_fields_) return 0;
  size_t ve = p;
  while (ve > v && IsOws(b[ve - 1])) ve--;
  if (field_count_ == fields_.size()) GrowFields();
  HeaderField& f = fields_[field_count_++];
  f.name.data = reinterpret_cast<const char*>(static_cast<uintptr_t>(ls));
  f.name.len = static_cast<uint32_t>(k);
  f.value.data = reinterpret_cast<const char*>(static_cast<uintptr_t>(v));
  f.value.len = static_cast<uint32_t>(ve - v);
  counted_ = static_cast<uint32_t>(cnt);
  line_start_ = static_cast<uint32_t>(p + 2);
  scan_pos_ = static_cast<uint32_t>(p + 2);
  if (sec_trailers_) return 1;
  if (!IsSemanticName(b + ls, k)) return 1;
  return FieldSemantics(b, ls, k, v, ve - v, p) ? 1 : -1;
}

// Whole-head fast path for requests (strict mode, SSE2 or NEON): the usual head, complete in the
// input, is parsed straight from the input with no per-line state: request line with a known
// method and HTTP/1.0 or HTTP/1.1, field lines "name: value" ending in CRLF, no line longer than
// the limits allow. Spans point into the input. It returns the bytes of the head once it has
// been delivered (DeliverHead), or 0 when anything is unusual (a byte the generic path would
// have to judge, an error, a head that is not complete): the caller then starts the generic
// path on the same bytes, which reaches the same result or the error (the fast path only
// accepts what the generic path accepts, and leaves nothing behind that BeginSection does not
// reset).
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline size_t HttpParser::FastHead(const char* p, size_t n, uint64_t abs) {
#ifdef UVHTTP_PARSER_SIMD
  // The callers checked fast_head_ and n >= 18, and give at most the raw cap as n: nothing
  // past it is looked at (the general path would not scan further either: such a head fails
  // there).
  // Request line: method SP request-target SP HTTP-version CRLF.
  Method method;
  size_t ml;
  const uint32_t w = Load32(p);
  if (w == Load32("GET ")) {
    method = Method::kGet, ml = 3;
  } else if (w == Load32("POST") && p[4] == ' ') {
    method = Method::kPost, ml = 4;
  } else if (w == Load32("PUT ")) {
    method = Method::kPut, ml = 3;
  } else if (w == Load32("HEAD") && p[4] == ' ') {
    method = Method::kHead, ml = 4;
  } else {
    ml = 0;
    while (ml <= kMaxMethodLen && p[ml] != ' ') ml++;  // n >= 18: in bounds
    const int m = ml <= kMaxMethodLen ? LookupMethod(p, ml) : -1;
    if (m < 0) return 0;
    method = static_cast<Method>(m);
  }
  const size_t j = ml + 1;
  const size_t ue = scan::UrlEnd(p, j, n);
  if (ue == j || ue + 11 > n || p[ue] != ' ') return 0;
  const size_t ulen = ue - j;
  if (ulen >= limits_.max_header_size) return 0;
  const uint64_t ver = Load64(p + ue + 1);
  uint8_t minor;
  if (ver == Load64("HTTP/1.1")) minor = 1;
  else if (ver == Load64("HTTP/1.0")) minor = 0;
  else return 0;
  if (!IsCrlf(p + ue + 9)) return 0;

  sec_start_ = abs;
  readable_ = n;
  method_ = method;
  major_ = 1;
  minor_ = minor;
  if (p[j] != '/' || method == Method::kConnect) {
    url_off_ = static_cast<uint32_t>(j);
    url_len_ = static_cast<uint32_t>(ulen);
    if (!CheckTargetForm(p)) {
      ClearError();
      return 0;
    }
  }
  // Framing facts, as BeginSection resets them (status_code_ stays 0 in a request parser).
  has_cl_ = te_present_ = te_chunked_seen_ = te_chunked_last_ = false;
  conn_close_ = conn_keep_alive_ = conn_upgrade_ = has_upgrade_ = false;
  te_unknown_at_ = -1;
  // Host is handled here, not by FieldSemantics (host_count_ is not read after the head).
  bool host = false;

  HeaderField* fields = fields_.data();
  size_t cap = fields_.size();
  uint32_t count = 0;
  const uint64_t max = limits_.max_header_size;
  uint64_t cnt = ulen;
  size_t ls = ue + 11;
  // Special bytes of the 64-byte block at `base`: each line ends at the first one at or after
  // its start. The blocks do not depend on the lines, so line after line only the shift and
  // count below are on the dependency chain; each line's name/value work hangs off it.
  size_t base = ls;
  uint64_t bits = scan::SpecialBits64(p, base, n);
  for (;;) {
    size_t e = ls;  // where the search goes on; base <= e
    for (;;) {
      const size_t off = e - base;
      const uint64_t rest = off < 64 ? bits >> off : 0;
      if (rest) {
        e += scan::Ctz64(rest);
        break;
      }
      base += 64;
      if (base >= n) return 0;
      if (e < base) e = base;
      bits = scan::SpecialBits64(p, base, n);
    }
    if (e + 1 >= n || !IsCrlf(p + e)) return 0;
    if (e == ls) break;  // the blank line
    // field-name ":" OWS field-value OWS CRLF. p[e] is not a name byte, so the runs stop at e.
    size_t ne = ls + scan::NameRun(p, ls, n);
    if (ne - ls == 16) ne += scan::NameRun(p, ne, n);
    if (p[ne] != ':') {
      ne = scan::ScanToken(p, ne, e, n, false);
      if (p[ne] != ':') return 0;
    }
    const size_t nl = ne - ls;
    if (nl == 0) return 0;
    size_t v = ne + 1;
    // Between the colon and e no byte is special, so a byte <= 0x20 is SP or HTAB (OWS).
    if (v < e && p[v] == ' ') v++;
    while (v < e && static_cast<uint8_t>(p[v]) <= 0x20) v++;
    cnt += nl + (e - v);
    if (cnt >= max || count >= max_fields_) return 0;
    size_t ve = e;
    while (ve > v && static_cast<uint8_t>(p[ve - 1]) <= 0x20) ve--;
    if (count == cap) {
      GrowFields();
      fields = fields_.data();
      cap = fields_.size();
    }
    HeaderField& f = fields[count++];
    f.name = Span{p + ls, static_cast<uint32_t>(nl)};
    f.value = Span{p + v, static_cast<uint32_t>(ve - v)};
    if (nl == 4) {
      // Host, as FieldSemantics checks it (RFC 9112 §3.2), the usual value inline.
      if (TokenEq(p + ls, "host", 4)) {
        if (host) return 0;
        host = true;
        const size_t hl = ve - v;
        if (hl > 16 || scan::HostRun(p, v, n) < hl) {
          if (ValidateAuthority(p + v, hl, false, true) >= 0) return 0;
        }
      }
    } else if (IsSemanticName(p + ls, nl)) {
      if (!FieldSemantics(p, ls, nl, v, ve - v, e)) {
        ClearError();
        return 0;
      }
    }
    ls = e + 2;
  }
  const size_t end = ls + 2;  // <= n <= the raw cap
  // CheckHead for a request: Host present in HTTP/1.1 (when required); a Transfer-Encoding
  // only with chunked last and no unknown coding (te_unknown_at_ is only set with TE present).
  if (!host && minor == 1 && limits_.require_host) return 0;
  if (te_present_ && (!te_chunked_last_ || te_unknown_at_ >= 0)) return 0;
  // Nothing else of the section state is read after the head: BeginSection resets it all
  // before the next section (counted_, field_count_, line_start_, ...).
  MessageHead h;
  h.method_name = Span{p, static_cast<uint32_t>(ml)};
  h.url = Span{p + j, static_cast<uint32_t>(ulen)};
  h.reason = Span{p, 0};
  h.headers = fields;
  h.header_count = count;
  h.end_offset = abs + end;
  DeliverHead(h);  // false only when it paused: the caller sees paused_
  ReleaseFields();
  return end;
#else
  (void)p;
  (void)n;
  (void)abs;
  return 0;
#endif
}

void HttpParser::ClearError() {
  error_ = ParseError::kOk;
  error_status_ = 0;
  error_reason_ = "";
  error_offset_ = 0;
}

// Early validation of an incomplete line, so that garbage (a TLS hello, a bad method, an
// oversized target) is rejected without waiting for a line end, and so that the error found for
// a stream that stops mid-line does not depend on how it was split. It runs on every call; the
// long scans inside a line resume where they stopped (lc_* members), so a byte-at-a-time peer
// costs linear time.
bool HttpParser::CheckPartial(const char* base, size_t s, size_t e, bool force) {
  (void)force;
  if (e == s) return true;
  return ParseLine(base, s, e, kLinePartial);
}

bool HttpParser::ParseLine(const char* base, size_t s, size_t e, LineMode mode) {
  if (!start_line_done_) {
    return type_ == Type::kRequest ? ParseRequestLine(base, s, e, mode)
                                   : ParseStatusLine(base, s, e, mode);
  }
  return ParseFieldLine(base, s, e, mode);
}

// Node's TrackHeader: the count of url/reason/name/value bytes fails once it reaches the limit
// (`>=`), so a head whose counted bytes equal max_header_size is rejected, one less passes.
#define UVHTTP_OVER(start, n, is_url)                                                       \
  do {                                                                                       \
    uint64_t max_ = limits_.max_header_size;                                                 \
    if ((n) > 0 && cnt + (n) >= max_) {                                                       \
      return Fail(ParseError::kHeaderOverflow, sec_start_ + (start) + (max_ - cnt) - 1,       \
                  (is_url) ? "Request-target too long" : "Header overflow",                  \
                  (is_url) ? 414 : 431);                                                      \
    }                                                                                        \
  } while (0)

bool HttpParser::ParseRequestLine(const char* b, size_t s, size_t e, LineMode mode) {
  uint64_t cnt = counted_;
  // method SP
  size_t mlim = e < s + kMaxMethodLen + 1 ? e : s + kMaxMethodLen + 1;
  size_t i = s;
  while (i < mlim && b[i] != ' ') i++;
  int m = -1;
  if (i < e && b[i] == ' ') {
    m = LookupMethod(b + s, i - s);
    if (m < 0) {
      size_t lp = MethodPrefixLen(b + s, i - s);
      return Fail(ParseError::kInvalidMethod, sec_start_ + s + lp, "Invalid method");
    }
  } else {
    size_t lp = MethodPrefixLen(b + s, i - s);
    if (lp < i - s || i < e)
      return Fail(ParseError::kInvalidMethod, sec_start_ + s + lp, "Invalid method");
    if (mode == kLinePartial) return true;
    return Fail(ParseError::kInvalidMethod, sec_start_ + e, "Invalid method");
  }
  // request-target SP
  size_t j = i + 1;
  if (j == e) {
    if (mode == kLinePartial) return true;
    return Fail(ParseError::kInvalidUrl, sec_start_ + e, "Missing request-target");
  }
  if (b[j] == ' ') return Fail(ParseError::kInvalidUrl, sec_start_ + j, "Empty request-target");
  // VCHAR only: raw non-ASCII is rejected (RFC 3986; llhttp in Node 20 rejects it too), the
  // RFC 3986 "unwise" characters (" < > \\ ^ ` { | }) are accepted as Node accepts them.
  size_t ue = scan::ScanUrl(b, lc_url_ > j ? lc_url_ : j, e, readable_, scalar_);
  if (mode == kLinePartial) lc_url_ = static_cast<uint32_t>(ue);
  UVHTTP_OVER(j, ue - j, true);
  if (ue == e) {
    if (mode == kLinePartial) return true;
    if (mode == kLineBadEnd)
      return Fail(ParseError::kInvalidUrl, sec_start_ + e, "Invalid request-target byte");
    return Fail(ParseError::kInvalidConstant, sec_start_ + e, "Missing HTTP version");
  }
  if (b[ue] != ' ')
    return Fail(ParseError::kInvalidUrl, sec_start_ + ue, "Invalid request-target byte");
  // HTTP-version
  size_t v = ue + 1;
  if (e - v == 8 && (mode == kLineComplete) && std::memcmp(b + v, "HTTP/1.", 7) == 0 &&
      (b[v + 7] == '1' || b[v + 7] == '0')) {
    // Fast path for the two versions accepted.
    counted_ = static_cast<uint32_t>(cnt + (ue - j));
    method_ = static_cast<Method>(m);
    method_off_ = static_cast<uint32_t>(s);
    method_len_ = static_cast<uint32_t>(i - s);
    url_off_ = static_cast<uint32_t>(j);
    url_len_ = static_cast<uint32_t>(ue - j);
    major_ = 1;
    minor_ = static_cast<uint8_t>(b[v + 7] - '0');
    start_line_done_ = true;
    return CheckTargetForm(b);
  }
  static const char kHttp[] = "HTTP/";
  for (size_t k = 0; k < 5; k++) {
    size_t q = v + k;
    if (q == e) {
      if (mode == kLinePartial) return true;
      return Fail(ParseError::kInvalidConstant, sec_start_ + e, "Expected HTTP/");
    }
    if (b[q] != kHttp[k]) return Fail(ParseError::kInvalidConstant, sec_start_ + q, "Expected HTTP/");
  }
  for (size_t k = 5; k < 8; k++) {
    size_t q = v + k;
    if (q == e) {
      if (mode == kLinePartial) return true;
      return Fail(ParseError::kInvalidVersion, sec_start_ + e, "Invalid HTTP version");
    }
    bool ok = k == 6 ? b[q] == '.' : chars::IsDigit(b[q]);
    if (!ok) return Fail(ParseError::kInvalidVersion, sec_start_ + q, "Invalid HTTP version");
  }
  uint8_t major = static_cast<uint8_t>(b[v + 5] - '0');
  uint8_t minor = static_cast<uint8_t>(b[v + 7] - '0');
  if (major != 1 || minor > 1) {
    return Fail(ParseError::kInvalidVersion, sec_start_ + v + 5, "Unsupported HTTP version", 505);
  }
  if (v + 8 < e)
    return Fail(ParseError::kInvalidVersion, sec_start_ + v + 8, "Expected CRLF after version");
  if (mode == kLineBadEnd)
    return Fail(ParseError::kInvalidVersion, sec_start_ + e, "Expected CRLF after version");
  if (mode == kLinePartial) return true;
  counted_ = static_cast<uint32_t>(cnt + (ue - j));
  method_ = static_cast<Method>(m);
  method_off_ = static_cast<uint32_t>(s);
  method_len_ = static_cast<uint32_t>(i - s);
  url_off_ = static_cast<uint32_t>(j);
  url_len_ = static_cast<uint32_t>(ue - j);
  major_ = major;
  minor_ = minor;
  start_line_done_ = true;
  return CheckTargetForm(b);
}

// RFC 9112 §3.2: origin-form, absolute-form, authority-form (CONNECT only, and CONNECT only
// with it), asterisk-form (OPTIONS only).
bool HttpParser::CheckTargetForm(const char* b) {
  const char* u = b + url_off_;
  size_t n = url_len_;
  uint64_t at = sec_start_ + url_off_;
  if (method_ == Method::kConnect) {
    long bad = ValidateAuthority(u, n, true, false);
    if (bad >= 0) return Fail(ParseError::kInvalidUrl, at + bad, "CONNECT needs host:port");
    return true;
  }
  if (u[0] == '/') return true;
  if (u[0] == '*') {
    if (n == 1 && method_ == Method::kOptions) return true;
    return Fail(ParseError::kInvalidUrl, at + (n == 1 ? 0 : 1), "Asterisk-form is for OPTIONS");
  }
  // absolute-form: scheme "://" authority [path-abempty] [? query]
  if (!chars::IsAlpha(u[0])) return Fail(ParseError::kInvalidUrl, at, "Invalid request-target");
  size_t i = 1;
  while (i < n && (chars::IsAlpha(u[i]) || chars::IsDigit(u[i]) || u[i] == '+' || u[i] == '-' ||
                   u[i] == '.'))
    i++;
  for (size_t k = 0; k < 3; k++, i++) {
    if (i >= n || u[i] != ":/"[k == 0 ? 0 : 1])
      return Fail(ParseError::kInvalidUrl, at + (i < n ? i : n), "Invalid absolute-form");
  }
  size_t a = i;
  while (i < n && u[i] != '/' && u[i] != '?' && u[i] != '#') i++;
  long bad = ValidateAuthority(u + a, i - a, false, false);
  if (bad >= 0) return Fail(ParseError::kInvalidUrl, at + a + bad, "Invalid authority");
  return true;
}

bool HttpParser::ParseStatusLine(const char* b, size_t s, size_t e, LineMode mode) {
  uint64_t cnt = counted_;
  static const char kHttp[] = "HTTP/";
  for (size_t k = 0; k < 5; k++) {
    size_t q = s + k;
    if (q == e) {
      if (mode == kLinePartial) return true;
      return Fail(ParseError::kInvalidConstant, sec_start_ + e, "Expected HTTP/");
    }
    if (b[q] != kHttp[k]) return Fail(ParseError::kInvalidConstant, sec_start_ + q, "Expected HTTP/");
  }
  for (size_t k = 5; k < 9; k++) {
    size_t q = s + k;
    if (q == e) {
      if (mode == kLinePartial) return true;
      return Fail(ParseError::kInvalidVersion, sec_start_ + e, "Invalid HTTP version");
    }
    bool ok = k == 6 ? b[q] == '.' : k == 8 ? b[q] == ' ' : chars::IsDigit(b[q]);
    if (!ok) return Fail(ParseError::kInvalidVersion, sec_start_ + q, "Invalid HTTP version");
    if (k == 7) {
      uint8_t major = static_cast<uint8_t>(b[s + 5] - '0');
      uint8_t minor = static_cast<uint8_t>(b[s + 7] - '0');
      if (major != 1 || minor > 1)
        return Fail(ParseError::kInvalidVersion, sec_start_ + s + 5, "Unsupported HTTP version",
                    505);
    }
  }
  for (size_t k = 9; k < 12; k++) {
    size_t q = s + k;
    if (q == e) {
      if (mode == kLinePartial) return true;
      return Fail(ParseError::kInvalidStatus, sec_start_ + e, "Invalid status code");
    }
    bool ok = chars::IsDigit(b[q]) && (k != 9 || b[q] != '0');
    if (!ok) return Fail(ParseError::kInvalidStatus, sec_start_ + q, "Invalid status code");
  }
  size_t r = s + 12;
  size_t rs = r;
  if (r < e) {
    if (b[r] != ' ') return Fail(ParseError::kInvalidStatus, sec_start_ + r, "Invalid status code");
    rs = r + 1;
  }
  UVHTTP_OVER(rs, e - rs, false);
  if (mode == kLineBadEnd)
    return Fail(ParseError::kInvalidStatus, sec_start_ + e, "Invalid reason phrase byte");
  if (mode == kLinePartial) return true;
  counted_ = static_cast<uint32_t>(cnt + (e - rs));
  major_ = static_cast<uint8_t>(b[s + 5] - '0');
  minor_ = static_cast<uint8_t>(b[s + 7] - '0');
  status_code_ = static_cast<uint16_t>((b[s + 9] - '0') * 100 + (b[s + 10] - '0') * 10 +
                                       (b[s + 11] - '0'));
  reason_off_ = static_cast<uint32_t>(rs);
  reason_len_ = static_cast<uint32_t>(e - rs);
  start_line_done_ = true;
  return true;
}

bool HttpParser::ParseFieldLine(const char* b, size_t s, size_t e, LineMode mode) {
  uint64_t cnt = counted_;
  size_t i;
  if (lc_colon_ > s) {
    i = lc_colon_;
  } else {
    i = scan::ScanToken(b, lc_name_ > s ? lc_name_ : s, e, readable_, scalar_);
    if (mode == kLinePartial) lc_name_ = static_cast<uint32_t>(i);
  }
  UVHTTP_OVER(s, i - s, false);
  if (i == e) {
    if (mode == kLinePartial) return true;
    if (mode == kLineBadEnd || i == s)
      return Fail(ParseError::kInvalidHeaderToken, sec_start_ + e, "Invalid header field char");
    return Fail(ParseError::kInvalidHeaderToken, sec_start_ + e, "Missing colon");
  }
  if (i == s) {
    // RFC 9112 §5.2: obs-fold is rejected (a line starting with SP/HTAB; in lenient mode one
    // that continues a field line never gets here). RFC 9112 §2.2: whitespace between the start
    // line and the first field line is rejected, with the code llhttp gives it (strict mode).
    // Offsets as llhttp's: past the whitespace where it has just read an empty value or the
    // start line, at it after a value.
    if (!IsOws(b[s]))
      return Fail(ParseError::kInvalidHeaderToken, sec_start_ + s, "Invalid header field char");
    if (b[s] == ' ' && field_count_ == 0 && !sec_trailers_ && !limits_.lenient)
      return Fail(ParseError::kUnexpectedSpace, sec_start_ + s + 1, "Unexpected space after start line");
    const bool after_empty_value = field_count_ > 0 && fields_[field_count_ - 1].value.len == 0;
    return Fail(ParseError::kInvalidHeaderToken, sec_start_ + s + (after_empty_value ? 1 : 0),
                "Unexpected whitespace (obs-fold)");
  }
  if (b[i] != ':') {
    // RFC 9112 §5.1: no whitespace between field name and colon.
    return Fail(ParseError::kInvalidHeaderToken, sec_start_ + i,
                IsOws(b[i]) ? "Whitespace before colon" : "Invalid header field char");
  }
  if (field_count_ >= max_fields_) {
    // As Node 22+ (maxHeadersCount): reported once the name of the field past the limit is read.
    return Fail(ParseError::kHeaderOverflow, sec_start_ + i + 1, "Header overflow", 431);
  }
  if (mode == kLinePartial) lc_colon_ = static_cast<uint32_t>(i);
  cnt += i - s;
  size_t v = lc_ows_ > i + 1 ? lc_ows_ : i + 1;
  if (line_folded_) {
    while (v < e && IsFoldWs(b[v])) v++;  // an empty value goes on on the next line
  } else {
    while (v < e && IsOws(b[v])) v++;
  }
  if (mode == kLinePartial) lc_ows_ = static_cast<uint32_t>(v);
  // Node counts the value from its first non-whitespace byte, trailing whitespace included
  // (and the continuation lines without their line breaks).
  const size_t value_count = (e - v) - fold_breaks_;
  UVHTTP_OVER(v, value_count, false);
  if (mode == kLineBadEnd)
    return Fail(ParseError::kInvalidHeaderToken, sec_start_ + e, "Invalid header value char");
  if (mode == kLinePartial) return true;
  counted_ = static_cast<uint32_t>(cnt + value_count);
  size_t ve = e;
  if (line_folded_) {
    while (ve > v && IsFoldWs(b[ve - 1])) ve--;
  } else {
    while (ve > v && IsOws(b[ve - 1])) ve--;
  }
  if (field_count_ == fields_.size()) GrowFields();
  HeaderField& f = fields_[field_count_++];
  f.name.data = reinterpret_cast<const char*>(static_cast<uintptr_t>(s));
  f.name.len = static_cast<uint32_t>(i - s);
  f.value.data = reinterpret_cast<const char*>(static_cast<uintptr_t>(v));
  f.value.len = static_cast<uint32_t>(ve - v);
  if (line_folded_) return FoldedField(b, s, i - s, v, ve, e);
  if (sec_trailers_) return true;
  // Only host(4) upgrade(7) connection(10) content-length(14) transfer-encoding(17) matter.
  const size_t nl = i - s;
  if (!IsSemanticName(b + s, nl)) return true;
  return FieldSemantics(b, s, nl, v, ve - v, e);
}

// A field line with obs-fold continuation lines (lenient mode), just recorded as the last field
// with its value at b[v, ve) and the line ending at e. The value is joined into fold_buffer_
// when a line break lies inside it. The semantics are those of llhttp, which reads each line's
// part of the value as a value of its own once the value has begun: a continuation of a
// non-empty Content-Length is a second Content-Length; Connection, Upgrade and Host apply per
// line. A continued Transfer-Encoding is rejected: llhttp forgets a `chunked` before the fold
// and cannot find one at the start of a continuation, so it frames such a message by close,
// which a request cannot be, and a response would be read differently by any hop that joins
// the lines (RFC 9112 §5.2 says to join them).
bool HttpParser::FoldedField(const char* b, size_t name_off, size_t name_len, size_t v, size_t ve,
                             size_t e) {
  if (LineBreakBytes(b, v, ve) > 0) {
    const size_t joined_at = fold_buffer_.size();
    for (size_t k = v; k < ve; k++) {
      if (b[k] != '\r' && b[k] != '\n') fold_buffer_.push_back(b[k]);
    }
    const size_t joined_len = fold_buffer_.size() - joined_at;
    fields_[field_count_ - 1].value.len = static_cast<uint32_t>(joined_len);
    folded_fields_.push_back(FoldedValue{field_count_ - 1, static_cast<uint32_t>(joined_at)});
  }
  if (sec_trailers_ || !IsSemanticName(b + name_off, name_len)) return true;
  size_t brk = v;  // the first line break after the value began
  while (brk < e && b[brk] != '\r' && b[brk] != '\n') brk++;
  if (brk == e) return FieldSemantics(b, name_off, name_len, v, ve - v, e);
  if (name_len == 14 || name_len == 17) {
    // The first line's part is read first, as llhttp reads it (its errors come first).
    size_t first_end = brk;
    while (first_end > v && IsOws(b[first_end - 1])) first_end--;
    if (!FieldSemantics(b, name_off, name_len, v, first_end - v, brk)) return false;
    const uint64_t continuation = sec_start_ + brk + (b[brk] == '\r' ? 2 : 1);
    if (name_len == 14)
      return Fail(ParseError::kUnexpectedContentLength, continuation, "Duplicate Content-Length");
    return Fail(ParseError::kInvalidTransferEncoding, continuation,
                "Transfer-Encoding continued on an obs-fold line");
  }
  // Connection, Upgrade (and Host in a response): each line's part, trimmed, as a value of
  // its own. A request's Host is one uri-host: whitespace inside it makes it invalid.
  size_t part = v;
  while (part < e) {
    size_t end = part;
    while (end < e && b[end] != '\r' && b[end] != '\n') end++;
    size_t ps = part, pe = end;
    while (ps < pe && IsOws(b[ps])) ps++;
    while (pe > ps && IsOws(b[pe - 1])) pe--;
    if (pe > ps) {
      if (part > v && name_len == 4 && type_ == Type::kRequest)
        return Fail(ParseError::kStrict, sec_start_ + part, "Invalid Host header");
      if (!FieldSemantics(b, name_off, name_len, ps, pe - ps, end)) return false;
    }
    part = end;
    while (part < e && (b[part] == '\r' || b[part] == '\n')) part++;
  }
  return true;
}

#undef UVHTTP_OVER

const HeaderField* HttpParser::ResolveFields(const char* base) {
  HeaderField* f = fields_.data();
  for (uint32_t i = 0; i < field_count_; i++) {
    f[i].name.data = base + reinterpret_cast<uintptr_t>(f[i].name.data);
    f[i].value.data = base + reinterpret_cast<uintptr_t>(f[i].value.data);
  }
  for (const FoldedValue& folded : folded_fields_) {
    f[folded.field].value.data = fold_buffer_.data() + folded.offset;
  }
  return f;
}

// A CR not followed by LF (RFC 9112 §2.2), reported with the code Node 20 gives for where it
// stands: in a request-target HPE_INVALID_URL, elsewhere in a start line HPE_STRICT, in a field
// name HPE_INVALID_HEADER_TOKEN, in a field value HPE_LF_EXPECTED.
void HttpParser::BareCr(const char* base, size_t line_start, size_t cr) {
  // llhttp stops on the byte after the CR, except in a field name, where the CR itself is the
  // invalid token character.
  const uint64_t after = sec_start_ + cr + 1;
  if (!start_line_done_ && !sec_trailers_) {
    size_t spaces = 0;
    for (size_t i = line_start; i < cr; i++) spaces += base[i] == ' ';
    if (type_ == Type::kRequest && spaces == 1) {
      Fail(ParseError::kInvalidUrl, after, "Expected CRLF");
    } else {
      Fail(ParseError::kStrict, after, "Expected CRLF after version");
    }
    return;
  }
  if (std::memchr(base + line_start, ':', cr - line_start) == nullptr) {
    Fail(ParseError::kInvalidHeaderToken, sec_start_ + cr, "Invalid header token");
  } else {
    Fail(ParseError::kLfExpected, after, "Missing expected LF after header value");
  }
}

bool HttpParser::FieldSemantics(const char* b, size_t name_off, size_t name_len, size_t value_off,
                                size_t value_len, size_t raw_end) {
  const char* name = b + name_off;
  const char* val = b + value_off;
  const size_t n = value_len;
  const uint64_t vat = sec_start_ + value_off;
  // Where llhttp notices a framing conflict: right after the field's colon.
  const uint64_t after_colon = sec_start_ + name_off + name_len + 1;
  // llhttp 9.3 (Node 20) strips a trailing SP from the values it interprets but keeps a
  // trailing HTAB: "chunked<HTAB>", "3<HTAB>", "upgrade<HTAB>" do not match there; llhttp 9.4
  // (Node 22+) reads it as OWS in Content-Length and Connection, not in Transfer-Encoding
  // (limits_.trailing_htab_is_ows). The framing fields follow the running Node's reading
  // (rejecting, or not recognising the last token) so no desync with Node-fronted or Node-like
  // hops is possible; the value handed to the handler is trimmed of both.
  if (name_len == 4) {
    if (!TokenEq(name, "host", 4)) return true;
    host_count_++;
    if (type_ != Type::kRequest) return true;
    // RFC 9112 §3.2: exactly one Host, and a valid uri-host [":" port].
    if (host_count_ > 1)
      return Fail(ParseError::kStrict, sec_start_ + name_off, "Duplicate Host header");
    if (scan::AllHostSimple(val, n, value_off, readable_ - value_off, scalar_)) return true;
    long bad = ValidateAuthority(val, n, false, true);
    if (bad >= 0) return Fail(ParseError::kStrict, vat + bad, "Invalid Host header");
    return true;
  }
  size_t tab_at = SIZE_MAX;
  for (size_t k = value_off + value_len; k < raw_end; k++) {
    if (b[k] == '\t') {
      tab_at = k;
      break;
    }
  }
  switch (name_len) {
    case 7:
      // An empty Upgrade field does not make an upgrade (as llhttp).
      if (n > 0 && TokenEq(name, "upgrade", 7)) has_upgrade_ = true;
      return true;
    case 10: {
      if (!TokenEq(name, "connection", 10)) return true;
      size_t i = 0;
      while (i < n) {
        while (i < n && (IsOws(val[i]) || val[i] == ',')) i++;
        size_t t = i;
        while (i < n && val[i] != ',') i++;
        size_t te = i;
        while (te > t && IsOws(val[te - 1])) te--;
        size_t len = te - t;
        // llhttp 9.3: a token followed by an HTAB (before its comma, or at the end of the
        // value) is no match.
        if (!limits_.trailing_htab_is_ows) {
          bool tab_after = i == n && tab_at != SIZE_MAX;
          for (size_t k = te; k < i && !tab_after; k++) tab_after = val[k] == '\t';
          if (tab_after) continue;
        }
        if (len == 5 && TokenEq(val + t, "close", 5)) conn_close_ = true;
        else if (len == 10 && TokenEq(val + t, "keep-alive", 10)) conn_keep_alive_ = true;
        else if (len == 7 && TokenEq(val + t, "upgrade", 7)) conn_upgrade_ = true;
      }
      return true;
    }
    case 14: {
      if (!TokenEq(name, "content-length", 14)) return true;
      // Code as Node 20's llhttp reports a Content-Length after a Transfer-Encoding.
      if (te_present_ && !limits_.lenient)
        return Fail(ParseError::kInvalidContentLength, after_colon,
                    "Content-Length can't be present with Transfer-Encoding");
      // RFC 9110 §8.6: duplicates and lists ("5, 5") are rejected rather than collapsed.
      if (has_cl_)
        return Fail(ParseError::kUnexpectedContentLength, vat, "Duplicate Content-Length");
      if (n == 0) return Fail(ParseError::kInvalidContentLength, vat, "Empty Content-Length");
      uint64_t cl = 0;
      for (size_t i = 0; i < n; i++) {
        if (!chars::IsDigit(val[i]))
          return Fail(ParseError::kInvalidContentLength, vat + i, "Invalid Content-Length");
        uint64_t d = static_cast<uint64_t>(val[i] - '0');
        if (cl > (UINT64_MAX - d) / 10)
          return Fail(ParseError::kInvalidContentLength, vat + i, "Content-Length overflow");
        cl = cl * 10 + d;
      }
      if (tab_at != SIZE_MAX && !limits_.trailing_htab_is_ows)
        return Fail(ParseError::kInvalidContentLength, sec_start_ + tab_at,
                    "Invalid Content-Length (trailing HTAB)");
      has_cl_ = true;
      cl_ = cl;
      return true;
    }
    case 17: {
      if (!TokenEq(name, "transfer-encoding", 17)) return true;
      // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
      if (type_ == Type::kRequest && minor_ == 0)
        return Fail(ParseError::kInvalidTransferEncoding, vat,
                    "Transfer-Encoding in an HTTP/1.0 request");
      // Code as Node 20's llhttp reports a Transfer-Encoding after a Content-Length.
      if (has_cl_ && !limits_.lenient)
        return Fail(ParseError::kInvalidTransferEncoding, after_colon,
                    "Transfer-Encoding can't be present with Content-Length");
      te_present_ = true;
      if (n == 0)
        return Fail(ParseError::kInvalidTransferEncoding, vat, "Empty Transfer-Encoding");
      if (tab_at != SIZE_MAX && type_ == Type::kRequest)
        return Fail(ParseError::kInvalidTransferEncoding, sec_start_ + tab_at,
                    "Invalid Transfer-Encoding (trailing HTAB)");
      if (n == 7 && TokenEq(val, "chunked", 7) && !te_chunked_seen_ && tab_at == SIZE_MAX) {
        te_chunked_seen_ = te_chunked_last_ = true;
        return true;
      }
      size_t i = 0;
      for (;;) {
        // Empty list elements ("chunked," / ", chunked") are rejected, stricter than RFC 9110
        // §5.6.1: a hop that does not read "chunked," as chunked frames the body differently.
        while (i < n && IsOws(val[i])) i++;
        size_t ts = i;
        while (i < n && Is(static_cast<uint8_t>(val[i]), chars::kToken)) i++;
        if (i == ts)
          return Fail(ParseError::kInvalidTransferEncoding, vat + i, "Invalid transfer coding");
        size_t tl = i - ts;
        bool params = false;
        for (;;) {  // *( OWS ";" OWS token BWS "=" BWS ( token / quoted-string ) )
          size_t k = i;
          while (k < n && IsOws(val[k])) k++;
          if (k == n || val[k] != ';') break;
          params = true;
          i = k + 1;
          while (i < n && IsOws(val[i])) i++;
          size_t ps = i;
          while (i < n && Is(static_cast<uint8_t>(val[i]), chars::kToken)) i++;
          if (i == ps)
            return Fail(ParseError::kInvalidTransferEncoding, vat + i, "Invalid coding parameter");
          while (i < n && IsOws(val[i])) i++;
          if (i == n || val[i] != '=')
            return Fail(ParseError::kInvalidTransferEncoding, vat + i, "Invalid coding parameter");
          i++;
          while (i < n && IsOws(val[i])) i++;
          if (i < n && val[i] == '"') {
            i++;
            for (;;) {
              if (i == n)
                return Fail(ParseError::kInvalidTransferEncoding, vat + i, "Unterminated quote");
              uint8_t c = static_cast<uint8_t>(val[i]);
              if (c == '"') { i++; break; }
              if (c == '\\') {
                if (i + 1 == n || !Is(static_cast<uint8_t>(val[i + 1]), chars::kVcharObs))
                  return Fail(ParseError::kInvalidTransferEncoding, vat + i + 1, "Invalid quoted-pair");
                i += 2;
                continue;
              }
              if (!Is(c, chars::kQdText))
                return Fail(ParseError::kInvalidTransferEncoding, vat + i, "Invalid quoted-string");
              i++;
            }
          } else {
            size_t vs = i;
            while (i < n && Is(static_cast<uint8_t>(val[i]), chars::kToken)) i++;
            if (i == vs)
              return Fail(ParseError::kInvalidTransferEncoding, vat + i, "Invalid coding parameter");
          }
        }
        while (i < n && IsOws(val[i])) i++;
        if (i < n && val[i] != ',')
          return Fail(ParseError::kInvalidTransferEncoding, vat + i, "Invalid transfer coding");
        const bool last_element = i == n;
        if (!last_element) i++;  // the comma
        if (!last_element && i == n)
          return Fail(ParseError::kInvalidTransferEncoding, vat + i, "Empty transfer coding");
        const char* t = val + ts;
        bool chunked = tl == 7 && TokenEq(t, "chunked", 7);
        if (te_chunked_seen_) {
          if (chunked)
            return Fail(ParseError::kInvalidTransferEncoding, vat + ts, "chunked applied twice");
          // RFC 9112 §6.3 item 4: in a request chunked must be the final coding.
          if (type_ == Type::kRequest)
            return Fail(ParseError::kInvalidTransferEncoding, vat + ts, "chunked is not the final coding");
        }
        if (chunked) {
          if (params)
            return Fail(ParseError::kInvalidTransferEncoding, vat + ts, "chunked takes no parameters");
          te_chunked_seen_ = true;
          te_chunked_last_ = true;
        } else {
          te_chunked_last_ = false;
          bool known = (tl == 4 && TokenEq(t, "gzip", 4)) || (tl == 6 && TokenEq(t, "x-gzip", 6)) ||
                       (tl == 7 && TokenEq(t, "deflate", 7)) ||
                       (tl == 8 && TokenEq(t, "compress", 8)) ||
                       (tl == 10 && TokenEq(t, "x-compress", 10));
          if (!known && te_unknown_at_ < 0) te_unknown_at_ = static_cast<int64_t>(vat + ts);
        }
        if (last_element) break;
      }
      // A response's "coding<HTAB>": the final coding is not chunked (body until close).
      if (tab_at != SIZE_MAX) te_chunked_last_ = false;
      return true;
    }
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------------
// End of a head / trailer section

// RFC 9112 §3.2, §6.1, §6.3: the checks made once the whole head is known.
bool HttpParser::CheckHead(uint64_t blank_at) {
  if (type_ != Type::kRequest) return true;
  if (major_ == 1 && minor_ == 1 && limits_.require_host && host_count_ == 0)
    return Fail(ParseError::kStrict, blank_at, "Missing Host header");
  // RFC 9112 §6.1: a transfer coding the server does not understand: 501.
  if (te_unknown_at_ >= 0)
    return Fail(ParseError::kInvalidTransferEncoding, static_cast<uint64_t>(te_unknown_at_),
                "Unknown transfer coding", 501);
  // RFC 9112 §6.3 item 4: a request whose final coding is not chunked cannot be framed.
  if (te_present_ && !te_chunked_last_)
    return Fail(ParseError::kInvalidTransferEncoding, blank_at,
                "Request has invalid Transfer-Encoding");
  return true;
}

bool HttpParser::EndOfHead(const char* b, size_t section_len) {
  if (!CheckHead(sec_start_ + line_start_)) return false;
  MessageHead h;
  h.method_name = Span{b + method_off_, method_len_};
  h.url = Span{b + url_off_, url_len_};
  h.reason = Span{b + reason_off_, reason_len_};
  h.headers = ResolveFields(b);
  h.header_count = field_count_;
  h.end_offset = sec_start_ + section_len;
  const bool delivered = DeliverHead(h);
  ReleaseFields();
  return delivered;
}

// Framing (RFC 9112 §6.3), persistence (§9.3), upgrade; then OnHead and the body phase. The
// spans and fields of `h` are filled in by the caller, the rest here.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline bool HttpParser::DeliverHead(MessageHead& h) {
  const bool request = type_ == Type::kRequest;
  enum { kNone, kLength, kChunked, kEof } body = kNone;
  bool chunked, has_cl, keep_alive, upgrade;
  if (request && !(has_cl_ | te_present_ | conn_close_ | conn_keep_alive_ | conn_upgrade_) &&
      method_ != Method::kConnect) {
    // The usual request: no framing field, no Connection tokens: no body; persistent in 1.1.
    chunked = has_cl = upgrade = false;
    keep_alive = major_ == 1 && minor_ == 1;
    no_close_after_ = false;
  } else {
    chunked = te_present_ && te_chunked_last_;
    // LENIENT (llhttp lenient_chunked_length): with both framings, Transfer-Encoding wins and
    // Content-Length is ignored (only reachable in lenient mode). Reopens CL.TE / TE.CL
    // smuggling when another hop frames the message by Content-Length instead.
    has_cl = has_cl_ && !te_present_;
    if (request && method_ == Method::kConnect) {
      // RFC 9110 §9.3.6: CONNECT has no content; what follows the head is the tunnel (llhttp
      // hands over right after the head too). Content-Length / Transfer-Encoding frame nothing.
      chunked = false;
      has_cl = false;
    } else if (request) {
      if (chunked) body = kChunked;
      else if (has_cl && cl_ > 0) body = kLength;
    } else {
      const uint16_t st = status_code_;
      if ((st >= 100 && st < 200) || st == 204 || st == 304) body = kNone;
      else if (chunked) body = kChunked;
      else if (te_present_) body = kEof;  // RFC 9112 §6.3 item 4 (responses)
      else if (has_cl) body = cl_ > 0 ? kLength : kNone;
      else body = kEof;
    }
    keep_alive = (major_ == 1 && minor_ == 1) ? !conn_close_ : (conn_keep_alive_ && !conn_close_);
    if (body == kEof) keep_alive = false;
    upgrade = request ? (method_ == Method::kConnect || (conn_upgrade_ && has_upgrade_))
                      : status_code_ == 101;
    no_close_after_ = !request && status_code_ >= 100 && status_code_ < 200;
  }

  h.method = method_;
  h.status_code = status_code_;
  h.http_major = major_;
  h.http_minor = minor_;
  h.keep_alive = keep_alive;
  h.upgrade = upgrade;
  h.chunked = chunked;
  h.has_content_length = has_cl;
  h.content_length = has_cl ? cl_ : 0;
  keep_alive_ = keep_alive;
  upgrade_ = upgrade;

  HeadAction action = handler_->OnHead(h);
  if (action == HeadAction::kContinue && body == kNone) {  // the usual request: complete now
    handler_->OnMessageComplete(nullptr, 0);
    phase_ = (keep_alive || no_close_after_) ? kIdle : kClosed;
    if (pause_after_msg_) {  // the handler asked for a pause (RequestPauseAfterMessage)
      pause_after_msg_ = false;
      paused_ = true;
      return false;
    }
    return true;
  }
  if (action == HeadAction::kPauseAfterMessage) pause_after_msg_ = true;
  if (action == HeadAction::kSkipBody) body = kNone;
  if (body == kNone && action != HeadAction::kPause) {
    CompleteMessage();  // no body: completes right away (paused if kPauseAfterMessage)
    return !paused_;
  }
  switch (body) {
    case kNone: phase_ = kCompletePending; break;
    case kLength: phase_ = kBodyLength; remaining_ = cl_; break;
    case kChunked:
      phase_ = kChunkLine;
      chunk_state_ = kCsStart;
      remaining_ = 0;
      ext_count_ = 0;
      break;
    case kEof: phase_ = kBodyEof; break;
  }
  if (action == HeadAction::kPause) {
    paused_ = true;
    return false;
  }
  return true;
}

void HttpParser::EndOfTrailers(const char* b) {
  const HeaderField* t = ResolveFields(b);
  handler_->OnMessageComplete(t, field_count_);
  field_count_ = 0;
  ReleaseFields();
  phase_ = (keep_alive_ || no_close_after_) ? kIdle : kClosed;
  if (pause_after_msg_) {
    pause_after_msg_ = false;
    paused_ = true;
  }
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline bool HttpParser::CompleteMessage() {
  handler_->OnMessageComplete(nullptr, 0);
  phase_ = (keep_alive_ || no_close_after_) ? kIdle : kClosed;
  if (pause_after_msg_) {
    pause_after_msg_ = false;
    paused_ = true;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Chunk-size line: chunk-size [ chunk-ext ] CRLF (RFC 9112 §7.1, §7.1.1)

bool HttpParser::ChunkByte(uint8_t c, uint64_t abs) {
  const bool lenient = limits_.lenient;
  auto line_done = [this, abs]() {
    if (remaining_ == 0) {
      BeginSection(abs + 1, true);
      phase_ = kTrailers;
    } else {
      phase_ = kChunkData;
    }
    return true;
  };
  auto bad_ext = [this, abs]() {
    return Fail(ParseError::kStrict, abs, "Invalid character in chunk extensions");
  };
  // Extension bytes are counted as Node counts them (node_http_parser.cc adds up the name and
  // value spans): every byte after the size digits up to the line end but the ';' and '='
  // separators.
  if (chunk_state_ != kCsStart && chunk_state_ != kCsLf && c != '\r' && c != '\n' && c != ';' &&
      c != '=' && !(chunk_state_ == kCsSize && chars::Hex(c) >= 0)) {
    if (++ext_count_ > limits_.max_chunk_extension_size)
      return Fail(ParseError::kChunkExtensionsOverflow, abs, "Chunk extensions overflow", 413);
  }
  const bool ws = c == ' ' || c == '\t';
  const bool tok = Is(c, chars::kToken);
  switch (chunk_state_) {
    case kCsStart: {
      int h = chars::Hex(c);
      if (h < 0) return Fail(ParseError::kInvalidChunkSize, abs, "Invalid chunk size");
      remaining_ = static_cast<uint64_t>(h);
      chunk_state_ = kCsSize;
      return true;
    }
    case kCsSize: {
      int h = chars::Hex(c);
      if (h >= 0) {
        if (remaining_ >> 60)
          return Fail(ParseError::kInvalidChunkSize, abs, "Chunk size overflow");
        remaining_ = remaining_ * 16 + static_cast<uint64_t>(h);
        return true;
      }
      if (c == ';') { chunk_state_ = kCsExtBws; return true; }
      if (ws) { chunk_state_ = kCsWs; return true; }
      if (c == '\r') { chunk_state_ = kCsLf; return true; }
      if (c == '\n') {
        // LENIENT (lenient_optional_cr_before_lf): bare LF ends the chunk-size line.
        if (lenient) return line_done();
        return Fail(ParseError::kCrExpected, abs, "Expected CR after chunk size");
      }
      return Fail(ParseError::kInvalidChunkSize, abs, "Invalid chunk size");
    }
    case kCsWs:  // BWS before ";" (RFC 9112 §7.1.1)
      if (ws) return true;
      if (c == ';') { chunk_state_ = kCsExtBws; return true; }
      if (lenient && c == '\r') {
        // LENIENT (lenient_spaces_after_chunk_size): "1 \r\n". Reopens disagreement with hops
        // that reject or re-read the size line.
        chunk_state_ = kCsLf;
        return true;
      }
      return Fail(ParseError::kInvalidChunkSize, abs, "Invalid chunk size");
    case kCsExtBws:
      if (ws) return true;
      if (tok) { chunk_state_ = kCsExtName; return true; }
      return bad_ext();
    case kCsExtName:
      if (tok) return true;
      if (c == '=') { chunk_state_ = kCsExtValBws; return true; }
      if (c == ';') { chunk_state_ = kCsExtBws; return true; }
      if (ws) { chunk_state_ = kCsExtNameWs; return true; }
      if (c == '\r') { chunk_state_ = kCsLf; return true; }
      if (c == '\n' && lenient) return line_done();
      return bad_ext();
    case kCsExtNameWs:
      if (ws) return true;
      if (c == '=') { chunk_state_ = kCsExtValBws; return true; }
      if (c == ';') { chunk_state_ = kCsExtBws; return true; }
      return bad_ext();
    case kCsExtValBws:
      if (ws) return true;
      if (c == '"') { chunk_state_ = kCsExtQuoted; return true; }
      if (tok) { chunk_state_ = kCsExtTok; return true; }
      return bad_ext();
    case kCsExtTok:
      if (tok) return true;
      if (c == ';') { chunk_state_ = kCsExtBws; return true; }
      if (ws) { chunk_state_ = kCsExtValWs; return true; }
      if (c == '\r') { chunk_state_ = kCsLf; return true; }
      if (c == '\n' && lenient) return line_done();
      return bad_ext();
    case kCsExtQuoted:
      if (c == '"') { chunk_state_ = kCsExtAfterVal; return true; }
      if (c == '\\') { chunk_state_ = kCsExtQPair; return true; }
      if (Is(c, chars::kQdText)) return true;
      return bad_ext();
    case kCsExtQPair:
      if (Is(c, chars::kVcharObs)) { chunk_state_ = kCsExtQuoted; return true; }
      return bad_ext();
    case kCsExtValWs:  // BWS is only allowed before another ";"
      if (ws) return true;
      if (c == ';') { chunk_state_ = kCsExtBws; return true; }
      return bad_ext();
    case kCsExtAfterVal:  // right after a closing quote
      if (ws) { chunk_state_ = kCsExtValWs; return true; }
      if (c == ';') { chunk_state_ = kCsExtBws; return true; }
      if (c == '\r') { chunk_state_ = kCsLf; return true; }
      if (c == '\n' && lenient) return line_done();
      return bad_ext();
    case kCsLf:
      if (c == '\n') return line_done();
      return Fail(ParseError::kStrict, abs, "Expected LF after chunk size");
  }
  return Fail(ParseError::kInvalidChunkSize, abs, "Invalid chunk size");
}

// ---------------------------------------------------------------------------------------------
// Execute

size_t HttpParser::Execute(const char* data, size_t len) {
  // Front door for the usual case, kept small: a whole request head at the start of the input,
  // between messages (FastHead), then whatever follows through the general loop.
  // (A leading CR/LF, skipped between messages by the general loop, fails FastHead's method
  // check.)
  if (phase_ == kIdle && fast_head_ && !paused_ && error_ == ParseError::kOk && len >= 18) {
    if (const size_t used = FastHead(data, len < raw_cap_ ? len : raw_cap_, consumed_)) {
      consumed_ += used;
      if (used == len || paused_) return used;
      return used + ExecuteLoop(data + used, len - used);
    }
  }
  return ExecuteLoop(data, len);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
size_t HttpParser::ExecuteLoop(const char* data, size_t len) {
  if (error_ != ParseError::kOk || paused_) return 0;
  size_t pos = 0;
  for (;;) {
    switch (phase_) {
      case kIdle: {
        if (pos == len) goto out;
        const char c = data[pos];
        // RFC 9112 §2.2: empty lines before a request-line are ignored. As llhttp does, any run
        // of CR and LF bytes between messages is skipped: it cannot change where a message
        // starts or ends.
        if (c == '\r' || c == '\n') { pos++; continue; }
        if (fast_head_ && len - pos >= 18) {
          const size_t avail = len - pos;
          if (const size_t used =
                  FastHead(data + pos, avail < raw_cap_ ? avail : raw_cap_, consumed_ + pos)) {
            pos += used;
            if (paused_) goto out;
            continue;
          }
        }
        BeginSection(consumed_ + pos, false);
        phase_ = kHead;
        continue;
      }
      case kIdleCr:
        if (pos == len) goto out;
        if (data[pos] != '\n') {
          Fail(ParseError::kLfExpected, consumed_ + pos, "Expected LF after CR");
          goto fail;
        }
        pos++;
        phase_ = kIdle;
        continue;
      case kClosed: {
        if (pos == len) goto out;
        const char c = data[pos];
        if (c == '\r' || c == '\n') { pos++; continue; }
        if (limits_.lenient) {
          // LENIENT (lenient_data_after_close / keep_alive): parse a message sent after one
          // that closes the connection. Reopens request queuing past a "Connection: close"
          // that a front end believed ended the exchange.
          phase_ = kIdle;
          continue;
        }
        Fail(ParseError::kClosedConnection, consumed_ + pos, "Data after Connection: close");
        goto fail;
      }
      case kHead:
      case kTrailers: {
        if (pos == len) goto out;
        size_t sec_len = 0;
        const bool trailers = phase_ == kTrailers;
        if (!sec_buffered_) {
          const char* base = data + pos;
          const size_t avail = len - pos;
          SectionResult r = ProcessLines(base, avail, &sec_len);
          if (r == kSectionError) goto fail;
          if (r == kSectionMore) {
            head_buffer_.assign(base, avail);
            sec_buffered_ = true;
            pos = len;
            goto out;
          }
          pos += sec_len;
          if (trailers) {
            EndOfTrailers(base);
            if (paused_) goto out;
            continue;
          }
          if (!EndOfHead(base, sec_len)) {
            if (error_ != ParseError::kOk) goto fail;
            goto out;
          }
          continue;
        }
        // Append in steps so that body bytes following the head are not copied wholesale.
        size_t old;
        SectionResult r;
        for (;;) {
          old = head_buffer_.size();
          const size_t room = RawCap() + 1 - old;
          size_t take = (len - pos) < room ? (len - pos) : room;
          if (take > 4096) take = 4096;
          head_buffer_.append(data + pos, take);
          r = ProcessLines(head_buffer_.data(), head_buffer_.size(), &sec_len);
          if (r != kSectionMore) break;
          pos += take;
          if (pos == len) goto out;
        }
        if (r == kSectionError) goto fail;
        pos += sec_len - old;
        sec_buffered_ = false;
        bool ok;
        if (trailers) {
          EndOfTrailers(head_buffer_.data());
          ok = true;
        } else {
          ok = EndOfHead(head_buffer_.data(), sec_len);
        }
        head_buffer_.clear();
        if (!ok) {
          if (error_ != ParseError::kOk) goto fail;
          goto out;
        }
        if (paused_) goto out;
        continue;
      }
      case kCompletePending:
        CompleteMessage();
        if (paused_) goto out;
        continue;
      case kBodyLength: {
        if (remaining_ == 0) {
          CompleteMessage();
          if (paused_) goto out;
          continue;
        }
        if (pos == len) goto out;
        size_t n = len - pos;
        if (n > remaining_) n = static_cast<size_t>(remaining_);
        handler_->OnBody(data + pos, n);
        pos += n;
        remaining_ -= n;
        continue;
      }
      case kBodyEof:
        if (pos == len) goto out;
        handler_->OnBody(data + pos, len - pos);
        pos = len;
        goto out;
      case kChunkLine:
        if (chunk_state_ == kCsStart) {
          // Fast path: "<hex>\r\n" whole in the input (no extension, no split).
          uint64_t size = 0;
          size_t next = FastChunkSize(data, pos, len, &size);
          if (next) {
            remaining_ = size;
            pos = next;
            if (size == 0) {
              BeginSection(consumed_ + pos, true);
              phase_ = kTrailers;
            } else {
              phase_ = kChunkData;
            }
            continue;
          }
        }
        while (pos < len) {
          if (!ChunkByte(static_cast<uint8_t>(data[pos]), consumed_ + pos)) goto fail;
          pos++;
          if (phase_ != kChunkLine) break;
        }
        if (phase_ == kChunkLine) goto out;
        continue;
      case kChunkData: {
        // Hot loop for well-formed chunked bodies: data, CRLF, "<hex>CRLF", data, ...; anything
        // else (extensions, a split, an error) goes through the general states. State is kept
        // in locals across the handler calls and written back on the way out.
        uint64_t rem = remaining_;
        if (rem == 0) {
          phase_ = kChunkDataCr;
          continue;
        }
        for (;;) {
          const size_t avail = len - pos;
          if (avail <= rem) {  // the input ends inside this chunk (or right at its end)
            if (avail) handler_->OnBody(data + pos, avail);
            pos = len;
            rem -= avail;
            remaining_ = rem;
            if (rem == 0) phase_ = kChunkDataCr;
            goto out;
          }
          handler_->OnBody(data + pos, static_cast<size_t>(rem));
          pos += static_cast<size_t>(rem);
          // CRLF after the data, then the next chunk-size line.
          uint64_t size = 0;
          size_t used = 0;
          if (len - pos >= 8) {
            used = CrlfChunkSize(data + pos, &size);
          } else if (len - pos >= 5 && data[pos] == '\r' && data[pos + 1] == '\n') {
            const size_t next = FastChunkSize(data, pos + 2, len, &size);
            if (next) used = next - pos;
          }
          if (!used) {  // the general states check the CRLF and read the size line
            remaining_ = 0;
            phase_ = kChunkDataCr;
            break;
          }
          pos += used;
          if (size == 0) {
            remaining_ = 0;
            if (len - pos >= 2 && IsCrlf(data + pos)) {
              // Last chunk with no trailer fields: the message ends here.
              pos += 2;
              CompleteMessage();
              if (paused_) goto out;
              break;
            }
            BeginSection(consumed_ + pos, true);
            phase_ = kTrailers;
            break;
          }
          rem = size;
        }
        continue;
      }
      case kChunkDataCr: {
        if (pos == len) goto out;
        const char c = data[pos];
        if (c == '\r') { phase_ = kChunkDataLf; pos++; continue; }
        if (c == '\n' && limits_.lenient) {
          // LENIENT (lenient_optional_cr_before_lf): bare LF after chunk data.
          pos++;
          phase_ = kChunkLine;
          chunk_state_ = kCsStart;
          ext_count_ = 0;
          continue;
        }
        Fail(ParseError::kStrict, consumed_ + pos, "Expected CRLF after chunk data");
        goto fail;
      }
      case kChunkDataLf:
        if (pos == len) goto out;
        if (data[pos] != '\n') {
          Fail(ParseError::kStrict, consumed_ + pos, "Expected LF after chunk data");
          goto fail;
        }
        pos++;
        phase_ = kChunkLine;
        chunk_state_ = kCsStart;
        ext_count_ = 0;
        continue;
      default:
        goto out;
    }
  }
out:
  consumed_ += pos;
  return pos;
fail : {
  // Bytes consumed: up to the offending byte (it may lie in an earlier input for a head line
  // that was only judged once complete).
  // bytes_parsed() then equals error_offset(), whatever the split.
  uint64_t rel = error_offset_ > consumed_ ? error_offset_ - consumed_ : 0;
  if (rel > len) rel = len;
  consumed_ = error_offset_;
  return static_cast<size_t>(rel);
}
}

ParseError HttpParser::Finish() {
  if (error_ != ParseError::kOk) return error_;
  switch (phase_) {
    case kIdle:
    case kIdleCr:
    case kClosed:
    case kCompletePending:  // a bodiless message held back by a pause: nothing is missing
      return ParseError::kOk;
    case kBodyEof:
      CompleteMessage();
      phase_ = kClosed;
      return ParseError::kOk;
    default:
      Fail(ParseError::kInvalidEofState, consumed_, "Connection closed mid-message");
      return error_;
  }
}

}  // namespace uvhttp
