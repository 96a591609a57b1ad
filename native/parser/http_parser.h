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
  // Node's insecureHTTPParser. Each relaxation it enables is documented at its use in
  // http_parser.cc with the attack it reopens.
  bool lenient = false;
  // Node's requireHostHeader (default true): an HTTP/1.1 request without Host is rejected
  // (RFC 9112 §3.2). A duplicated or malformed Host is rejected whatever this says.
  bool require_host = true;
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
};

enum class HeadAction : uint8_t {
  kContinue,  // parse the body as framed
  kSkipBody,  // a response to HEAD (or a 1xx handled by the caller): no body follows
  kPause,     // stop after this head (upgrade/CONNECT): Execute returns, the rest is the caller's
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
  void Reset();  // back to the start of a message, limits kept, error cleared

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

 private:
  // Internal state is the implementation's; see http_parser.cc.
  struct State;
  Type type_;
  Handler* handler_;
  ParserLimits limits_;
  std::string head_buffer_;  // a head split across Execute calls, bounded by the limits
  // ... further members as the implementation needs.
};

}  // namespace uvhttp
