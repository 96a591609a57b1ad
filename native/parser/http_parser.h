// HTTP/1.x message parser: requests (server side) and responses (client side).
//
// A pure unit: no libuv, no N-API, no allocation per message beyond a bounded buffer that holds
// a head split across reads. Strict by default (RFC 9110, RFC 9112); the only relaxation is the
// `lenient` limit, mapped from Node's `insecureHTTPParser`.
//
// Incremental: Execute() may be given the stream split anywhere; the handler sees the same events
// whatever the split. Spans handed to the handler are valid only during that call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// The parser's private member functions have hidden visibility: calls between them then bind
// directly (no PLT, inlinable) in the -fPIC addon. (Hiding the whole class would make every
// class that derives from HttpParser::Handler warn under -Wattributes.)
#if defined(__GNUC__) || defined(__clang__)
#define UVHTTP_PARSER_INTERNAL __attribute__((visibility("hidden")))
#else
#define UVHTTP_PARSER_INTERNAL
#endif

namespace uvhttp {

// Error codes, named as llhttp names them because users see them as `err.code` in 'clientError'.
enum class ParseError : uint8_t {
  kOk = 0,
  kInvalidMethod,             // HPE_INVALID_METHOD
  kInvalidUrl,                // HPE_INVALID_URL
  kInvalidConstant,           // HPE_INVALID_CONSTANT
  kInvalidVersion,            // HPE_INVALID_VERSION
  kInvalidStatus,             // HPE_INVALID_STATUS
  kInvalidHeaderToken,        // HPE_INVALID_HEADER_TOKEN
  kInvalidContentLength,      // HPE_INVALID_CONTENT_LENGTH
  kUnexpectedContentLength,   // HPE_UNEXPECTED_CONTENT_LENGTH
  kInvalidTransferEncoding,   // HPE_INVALID_TRANSFER_ENCODING
  kInvalidChunkSize,          // HPE_INVALID_CHUNK_SIZE
  kHeaderOverflow,            // HPE_HEADER_OVERFLOW
  kChunkExtensionsOverflow,   // HPE_CHUNK_EXTENSIONS_OVERFLOW
  kStrict,                    // HPE_STRICT
  kCrExpected,                // HPE_CR_EXPECTED
  kLfExpected,                // HPE_LF_EXPECTED
  kInvalidEofState,           // HPE_INVALID_EOF_STATE
  kClosedConnection,          // HPE_CLOSED_CONNECTION (data after a message that closes)
  kUnexpectedSpace,           // HPE_UNEXPECTED_SPACE (whitespace opening the first field line)
};

// "HPE_INVALID_METHOD", ... ; never null.
const char* ParseErrorCode(ParseError error);

struct Span {
  const char* data;
  uint32_t len;
};

struct HeaderField {
  Span name;   // as on the wire (case kept: rawHeaders needs it)
  Span value;  // leading and trailing whitespace (OWS) removed
};

struct ParserLimits {
  // Bytes of url/status reason + field names + field values, counted as Node counts them
  // (node_http_parser.cc TrackHeader); over it: HPE_HEADER_OVERFLOW (the server answers 431).
  // The raw bytes buffered for one head are also capped (a bounded multiple of this) so that
  // padding that Node does not count cannot grow a buffer without bound.
  uint32_t max_header_size = 16 * 1024;
  // Bytes of chunk extensions in one chunk-size line; over it: HPE_CHUNK_EXTENSIONS_OVERFLOW
  // (the server answers 413). Node 20 uses 16 KiB.
  uint32_t max_chunk_extension_size = 16 * 1024;
  // Fields in one head, and in one trailer section; the first field past it is
  // HPE_HEADER_OVERFLOW at its colon (the server answers 431). Node 22 and later (its
  // maxHeadersCount, 1000 by default); 0, as Node 20, leaves the count to JS, which drops the
  // fields past maxHeadersCount from req.headers.
  uint32_t max_header_fields = 0;
  // Node's insecureHTTPParser. Each relaxation it enables is documented at its use in
  // http_parser.cc with the attack it reopens.
  bool lenient = false;
  // Node 24.19's httpValidation 'relaxed' (llhttp's lenient header value chars, nothing else):
  // field values may hold any byte but NUL, CR and LF, as in lenient mode. `lenient` implies it.
  bool lenient_field_values = false;
  // Node's requireHostHeader (default true): an HTTP/1.1 request without Host is rejected
  // (RFC 9112 §3.2). A duplicated or malformed Host is rejected whatever this says.
  bool require_host = true;
  // How the llhttp of the running Node reads a trailing HTAB in the values it interprets.
  // false: as llhttp 9.3 (Node 20): it is kept, so "3<HTAB>" is an invalid Content-Length and
  // "close<HTAB>" is no Connection option. true: as llhttp 9.4 (Node 22 and later): it is OWS
  // there. A Transfer-Encoding "chunked<HTAB>" is no match in both (native/llhttp_dialect.h
  // chooses from process.versions.llhttp).
  bool trailing_htab_is_ows = false;
};

// Request method, numbered in the order of Node's `http.METHODS` (sorted), so the JS side can
// index a table of interned method strings.
enum class Method : uint8_t {
  kAcl, kBind, kCheckout, kConnect, kCopy, kDelete, kGet, kHead, kLink, kLock, kMSearch,
  kMerge, kMkactivity, kMkcalendar, kMkcol, kMove, kNotify, kOptions, kPatch, kPost,
  kPropfind, kProppatch, kPurge, kPut, kQuery, kRebind, kReport, kSearch, kSource, kSubscribe,
  kTrace, kUnbind, kUnlink, kUnlock, kUnsubscribe,
  kCount
};

struct MessageHead {
  // Requests.
  Method method;
  Span method_name;
  Span url;
  // Responses.
  uint16_t status_code;
  Span reason;
  // Both.
  uint8_t http_major;
  uint8_t http_minor;
  const HeaderField* headers;
  uint32_t header_count;
  // RFC 9112 §9.3: persistence from the version and the Connection field.
  bool keep_alive;
  // Connection: upgrade with an Upgrade field (RFC 9110 §7.8), or a CONNECT request.
  bool upgrade;
  // Framing decided at the end of the head (RFC 9112 §6.3).
  bool chunked;
  bool has_content_length;
  uint64_t content_length;
  // Offset in the whole stream just past the head's blank line.
  uint64_t end_offset;
};

enum class HeadAction : uint8_t {
  kContinue,  // parse the body as framed
  kSkipBody,  // a response to HEAD (or a 1xx handled by the caller): no body follows
  kPause,     // stop after this head (upgrade/CONNECT): Execute returns, the rest is the caller's
  // Parse the body as framed, then stop right after OnMessageComplete: Execute returns the bytes
  // through the end of the message. This is llhttp's hand-over point for an Upgrade request
  // that declares a body (the body belongs to the request, the rest to the new protocol).
  kPauseAfterMessage,
};

class HttpParser {
 public:
  enum class Type : uint8_t { kRequest, kResponse };

  class Handler {
   public:
    virtual HeadAction OnHead(const MessageHead& head) = 0;
    virtual void OnBody(const char* data, size_t len) = 0;
    // Trailer fields of a chunked message; count is 0 otherwise.
    virtual void OnMessageComplete(const HeaderField* trailers, uint32_t count) = 0;

   protected:
    ~Handler() = default;
  };

  HttpParser(Type type, Handler* handler, const ParserLimits& limits);

  // Parses as much of the input as it can. Returns the bytes consumed: all of them, or fewer
  // when it stopped at an error (error() != kOk) or at a pause (paused()). A stopped parser
  // consumes nothing until Resume() (pause) or Reset().
  size_t Execute(const char* data, size_t len);

  // The peer closed its side. Completes a response body framed by the close (RFC 9112 §6.3
  // item 8); returns kInvalidEofState if a message was cut short, kOk otherwise.
  ParseError Finish();

  void Resume();
  // Called by the handler from inside any of its callbacks: Execute returns right after the
  // current message completes (the next one is left in the input), as with kPauseAfterMessage.
  // A server uses it to stop taking pipelined requests while its output backs up.
  void RequestPauseAfterMessage();
  void Reset();  // back to the start of a message, limits kept, error cleared
  // New limits from the next message on (a client's parser serves one request after another,
  // each with its own maxHeaderSize and insecureHTTPParser).
  void SetLimits(const ParserLimits& limits);
  const ParserLimits& limits() const { return limits_; }

  ParseError error() const;
  const char* error_reason() const;   // a short human-readable reason, never null
  uint64_t error_offset() const;      // offset of the offending byte in the whole stream
  // The status a server answers a request error with when no 'clientError' listener does:
  // 400, or 413 (chunk extensions), 414 (request-target over the limit), 431 (header fields over
  // the limit), 501 (a transfer coding not understood, RFC 9112 §6.1), 505 (an HTTP version
  // other than 1.0 or 1.1, RFC 9110 §15.6.6).
  uint16_t error_status() const;
  bool paused() const;
  // True between messages (nothing of the next message seen yet).
  bool idle() const;
  // Bytes of the stream consumed so far (llhttp's bytesParsed counterpart).
  uint64_t bytes_parsed() const;

  // Test hook: use the portable scalar scanner instead of SSE2 or NEON (no effect where neither is
  // compiled in: the scalar scanner is then the only one).
  void SetScalarScanForTesting(bool scalar);

  // Notes on the contract as implemented:
  // - kPause: Execute() returns right after OnHead; no OnBody/OnMessageComplete is delivered
  //   until Resume() and a further Execute() call (which may be given zero bytes to deliver the
  //   completion of a message without body).
  // - Errors inside a head line are reported when the line is complete, or earlier when the
  //   bytes seen so far already prove it (the method is checked from the first byte). The code
  //   and offset do not depend on how the stream was split.

 private:
  // Internal state is the implementation's; see http_parser.cc.
  struct State;
  Type type_;
  Handler* handler_;
  ParserLimits limits_;
  std::string head_buffer_;  // a head split across Execute calls, bounded by the limits

  enum LineMode : uint8_t { kLineComplete, kLinePartial, kLineBadEnd };
  enum SectionResult : uint8_t { kSectionMore, kSectionDone, kSectionError };

  UVHTTP_PARSER_INTERNAL bool Fail(ParseError e, uint64_t abs_offset, const char* reason,
                                   uint16_t status = 400);
  UVHTTP_PARSER_INTERNAL void BeginSection(uint64_t abs_start, bool trailers);
  UVHTTP_PARSER_INTERNAL SectionResult ProcessLines(const char* base, size_t avail,
                                                    size_t* section_len);
  UVHTTP_PARSER_INTERNAL bool CheckPartial(const char* base, size_t s, size_t e, bool force);
  UVHTTP_PARSER_INTERNAL int TryFastFieldLine(const char* base, size_t ls, size_t lim);
  UVHTTP_PARSER_INTERNAL bool ParseLine(const char* base, size_t s, size_t e, LineMode mode);
  UVHTTP_PARSER_INTERNAL bool ParseRequestLine(const char* base, size_t s, size_t e,
                                               LineMode mode);
  UVHTTP_PARSER_INTERNAL bool ParseStatusLine(const char* base, size_t s, size_t e,
                                              LineMode mode);
  UVHTTP_PARSER_INTERNAL bool ParseFieldLine(const char* base, size_t s, size_t e, LineMode mode);
  UVHTTP_PARSER_INTERNAL void BareCr(const char* base, size_t line_start, size_t cr);
  UVHTTP_PARSER_INTERNAL bool FoldedField(const char* base, size_t name_off, size_t name_len,
                                          size_t v, size_t ve, size_t e);
  UVHTTP_PARSER_INTERNAL bool FieldSemantics(const char* base, size_t name_off, size_t name_len,
                                             size_t value_off, size_t value_len, size_t raw_end);
  UVHTTP_PARSER_INTERNAL const HeaderField* ResolveFields(const char* base);
  // Room for at least one more field (from the thread's spares when there is none), and the
  // storage handed back once a section's fields have been delivered.
  void GrowFields();
  void ReleaseFields();
  UVHTTP_PARSER_INTERNAL bool CheckTargetForm(const char* base);
  UVHTTP_PARSER_INTERNAL bool EndOfHead(const char* base, size_t section_len);
  UVHTTP_PARSER_INTERNAL bool CheckHead(uint64_t blank_at);
  UVHTTP_PARSER_INTERNAL bool DeliverHead(MessageHead& h);
  UVHTTP_PARSER_INTERNAL size_t FastHead(const char* p, size_t n, uint64_t abs);
  UVHTTP_PARSER_INTERNAL void ClearError();
  UVHTTP_PARSER_INTERNAL size_t ExecuteLoop(const char* data, size_t len);
  UVHTTP_PARSER_INTERNAL void EndOfTrailers(const char* base);
  UVHTTP_PARSER_INTERNAL bool CompleteMessage();
  UVHTTP_PARSER_INTERNAL size_t FindSpecial(const char* base, size_t from, size_t to) const;
  UVHTTP_PARSER_INTERNAL bool ChunkByte(uint8_t c, uint64_t abs);
  UVHTTP_PARSER_INTERNAL size_t RawCap() const;

  // Stream / control.
  uint8_t phase_ = 0;
  bool paused_ = false;
  bool scalar_ = false;
  bool fast_head_ = false;  // FastHead applies: requests, strict, SIMD scans
  size_t raw_cap_ = 0;     // RawCap(), fixed by the limits
  ParseError error_ = ParseError::kOk;
  uint16_t error_status_ = 0;
  const char* error_reason_ = "";
  uint64_t error_offset_ = 0;
  uint64_t consumed_ = 0;  // bytes consumed before the current Execute call
  const char* exec_data_ = nullptr;  // current Execute input (for error positions)

  // Current head or trailer section.
  bool sec_buffered_ = false;
  bool sec_trailers_ = false;
  bool start_line_done_ = false;
  uint64_t sec_start_ = 0;   // stream offset of the section's first byte
  uint32_t line_start_ = 0;  // section offset of the current line
  uint32_t scan_pos_ = 0;    // bytes of the current line known free of special bytes
  // Resume points of the long scans inside the current line (0: none yet).
  uint32_t lc_name_ = 0, lc_colon_ = 0, lc_ows_ = 0, lc_url_ = 0;
  uint32_t counted_ = 0;     // Node's header_nread_
  bool line_folded_ = false; // the current field line goes on on obs-fold lines (lenient)
  uint32_t fold_breaks_ = 0; // CR/LF bytes of those line breaks inside the value so far
  size_t readable_ = 0;      // bytes of the current section base that may be loaded
  // Fields of the current section. Until the section ends the span pointers hold offsets from
  // the section start (the buffer may move); ResolveFields() turns them into pointers in place.
  // Held only while a section is parsed: between messages the storage waits in the thread's
  // spares (GrowFields, ReleaseFields), so an idle connection's parser holds none of it.
  std::vector<HeaderField> fields_;
  uint32_t field_count_ = 0;
  uint32_t max_fields_ = UINT32_MAX;  // limits_.max_header_fields, or no limit
  // Values of the current section joined from obs-fold lines (lenient mode), which are no span
  // of the input: the bytes, and which fields' values point there (ResolveFields).
  struct FoldedValue {
    uint32_t field;
    uint32_t offset;  // in fold_buffer_
  };
  std::string fold_buffer_;
  std::vector<FoldedValue> folded_fields_;

  // Start line.
  Method method_ = Method::kGet;
  uint32_t method_off_ = 0, method_len_ = 0, url_off_ = 0, url_len_ = 0;
  uint32_t reason_off_ = 0, reason_len_ = 0;
  uint16_t status_code_ = 0;
  uint8_t major_ = 1, minor_ = 1;

  // Framing facts gathered from the fields.
  bool has_cl_ = false, te_present_ = false, te_chunked_seen_ = false, te_chunked_last_ = false;
  bool conn_close_ = false, conn_keep_alive_ = false, conn_upgrade_ = false, has_upgrade_ = false;
  uint32_t host_count_ = 0;
  uint64_t cl_ = 0;
  int64_t te_unknown_at_ = -1;  // stream offset of the first unknown transfer coding

  // Message / body.
  bool keep_alive_ = true;
  bool upgrade_ = false;
  bool no_close_after_ = false;
  bool pause_after_msg_ = false;  // 1xx: the connection state is not decided by this message
  uint64_t remaining_ = 0;
  uint8_t chunk_state_ = 0;
  uint32_t ext_count_ = 0;
  bool chunk_size_digits_ = false;
};

}  // namespace uvhttp
