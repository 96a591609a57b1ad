// Guard-page test for native/parser/http_parser.cc (no sanitizer: the MMU is the checker).
//
// Every chunk handed to Execute() is copied so that its last byte is the last byte of a readable
// page and the next page is PROT_NONE: a read one byte past the input faults. After the call the
// chunk's pages are made PROT_NONE too, so a parser that kept a pointer into an earlier chunk
// (instead of copying a split head) faults on its next read. Every span the handler receives is
// read byte by byte.
//
// For each input and each configuration it parses: the whole input; every prefix (truncated
// heads, chunk sizes cut at the buffer end, ...); every split into two chunks; one byte per call.
// The event stream of every split must equal the whole parse's (prefix parses only run to see
// that they stay in bounds). Output: one line per input, then a summary line; exit 0 on success.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../native/parser/http_parser.h"

using namespace uvhttp;

namespace {

const char* g_input_name = "";
const char* g_phase = "";
size_t g_split = 0;

void OnSegv(int sig, siginfo_t* info, void*) {
  char msg[512];
  int n = snprintf(msg, sizeof msg,
                   "FAULT: signal %d at address %p while parsing input '%s' (%s, offset %zu)\n", sig,
                   info->si_addr, g_input_name, g_phase, g_split);
  if (n > 0) {
    ssize_t w = write(2, msg, static_cast<size_t>(n));
    (void)w;
  }
  _exit(2);
}

// A region of `pages` readable pages followed by one PROT_NONE page.
class GuardedRegion {
 public:
  explicit GuardedRegion(size_t max_len) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    data_pages_ = (max_len + page_ - 1) / page_ + 1;
    size_ = (data_pages_ + 1) * page_;
    base_ = static_cast<char*>(
        mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base_ == MAP_FAILED) {
      perror("mmap");
      exit(3);
    }
    Protect(false);
  }
  ~GuardedRegion() { munmap(base_, size_); }

  // Copies data so that it ends right before the guard page; returns where it starts.
  const char* Place(const char* data, size_t len) {
    Protect(false);
    char* end = base_ + data_pages_ * page_;
    char* start = end - len;
    memcpy(start, data, len);
    return start;
  }
  // Makes the data pages unreadable (after the parser returned from Execute).
  void Lock() { Protect(true); }

 private:
  void Protect(bool all) {
    if (mprotect(base_, data_pages_ * page_, all ? PROT_NONE : (PROT_READ | PROT_WRITE)) != 0 ||
        mprotect(base_ + data_pages_ * page_, page_, PROT_NONE) != 0) {
      perror("mprotect");
      exit(3);
    }
  }
  size_t page_;
  size_t data_pages_;
  size_t size_;
  char* base_;
};

struct Hasher {
  uint64_t h = 1469598103934665603ull;
  void B(uint8_t b) { h = (h ^ b) * 1099511628211ull; }
  void Bytes(const char* p, size_t n) {
    for (size_t i = 0; i < n; i++) B(static_cast<uint8_t>(p[i]));  // every byte is read
  }
  void U(uint64_t v) {
    for (int i = 0; i < 8; i++) B(static_cast<uint8_t>(v >> (8 * i)));
  }
  void S(const Span& s) {
    U(s.len);
    Bytes(s.data, s.len);
  }
};

class Recorder final : public HttpParser::Handler {
 public:
  HeadAction OnHead(const MessageHead& head) override {
    h.B('H');
    h.B(static_cast<uint8_t>(head.method));
    h.S(head.method_name);
    h.S(head.url);
    h.U(head.status_code);
    h.S(head.reason);
    h.B(head.http_major);
    h.B(head.http_minor);
    h.U(head.header_count);
    for (uint32_t i = 0; i < head.header_count; i++) {
      h.S(head.headers[i].name);
      h.S(head.headers[i].value);
    }
    h.B(head.keep_alive);
    h.B(head.upgrade);
    h.B(head.chunked);
    h.B(head.has_content_length);
    h.U(head.content_length);
    heads++;
    return head.upgrade ? HeadAction::kPause : HeadAction::kContinue;
  }
  void OnBody(const char* data, size_t len) override {
    h.Bytes(data, len);  // body boundaries depend on the split: hash the bytes only
    body += len;
  }
  void OnMessageComplete(const HeaderField* trailers, uint32_t count) override {
    h.B('C');
    h.U(count);
    for (uint32_t i = 0; i < count; i++) {
      h.S(trailers[i].name);
      h.S(trailers[i].value);
    }
    completes++;
  }
  Hasher h;
  uint64_t heads = 0, completes = 0, body = 0;
};

struct Result {
  uint64_t hash;
  ParseError error;
  bool paused;
  ParseError finish;
  uint64_t heads, completes, body;
  bool operator==(const Result& o) const {
    return hash == o.hash && error == o.error && paused == o.paused && finish == o.finish;
  }
};

struct Input {
  std::string name;
  HttpParser::Type type;
  std::string data;
};

struct Config {
  const char* name;
  ParserLimits limits;
  bool scalar = false;
};

// Parses `data` cut at the given offsets (ascending, each < len); each piece at a guard page.
Result Parse(const Input& in, const Config& cfg, const std::vector<size_t>& cuts, GuardedRegion& a,
             GuardedRegion& b, bool finish) {
  Recorder rec;
  HttpParser parser(in.type, &rec, cfg.limits);
  parser.SetScalarScanForTesting(cfg.scalar);
  size_t start = 0;
  bool stopped = false;
  GuardedRegion* regions[2] = {&a, &b};
  int turn = 0;
  for (size_t i = 0; i <= cuts.size() && !stopped; i++) {
    size_t end = i < cuts.size() ? cuts[i] : in.data.size();
    size_t len = end - start;
    GuardedRegion* r = regions[turn];
    turn ^= 1;
    const char* p = r->Place(in.data.data() + start, len);
    size_t n = parser.Execute(p, len);
    r->Lock();
    if (n > len) {
      fprintf(stderr, "FAIL: %s/%s: Execute returned %zu > %zu\n", in.name.c_str(), cfg.name, n, len);
      exit(1);
    }
    if (parser.error() != ParseError::kOk || parser.paused()) stopped = true;
    start = end;
  }
  Result res;
  res.error = parser.error();
  res.paused = parser.paused();
  res.finish = (!stopped && finish) ? parser.Finish() : ParseError::kOk;
  res.hash = rec.h.h;
  res.heads = rec.heads;
  res.completes = rec.completes;
  res.body = rec.body;
  return res;
}

std::vector<Input> Inputs() {
  using T = HttpParser::Type;
  const T Q = T::kRequest, R = T::kResponse;
  std::string cookie = "Cookie: ";
  for (int i = 0; i < 40; i++) cookie += "name" + std::to_string(i) + "=value" + std::to_string(i) + "; ";
  cookie += "last=1\r\n";
  std::string big_chunked = "POST /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; i++) big_chunked += "40\r\n" + std::string(64, static_cast<char>('a' + i)) + "\r\n";
  big_chunked += "0\r\n\r\n";
  // Chunk sizes of 1 to 4 hex digits (and a 5-digit one with leading zeros), uppercase and
  // lowercase, with and without extensions: every path of the chunk-size parser.
  std::string sizes = "POST /sizes HTTP/1.1\r\nHost: a\r\ntransfer-encoding: CHUNKED\r\n\r\n";
  sizes += "1\r\nx\r\n";
  sizes += "1f\r\n" + std::string(31, 'y') + "\r\n";
  sizes += "1Ab;e=1\r\n" + std::string(0x1ab, 'z') + "\r\n";
  sizes += "4c5\r\n" + std::string(0x4c5, 'w') + "\r\n";
  sizes += "00010\r\n" + std::string(16, 'v') + "\r\n";
  sizes += "0\r\n\r\n";
  std::vector<Input> out = {
      {"get-minimal", Q, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"},
      {"get-pipelined", Q, "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"},
      {"get-no-headers-10", Q, "GET /x HTTP/1.0\r\n\r\n"},
      {"get-browser", Q,
       "GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0\r\n"
       "Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.5\r\n"
       "Accept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n" +
           cookie + "\r\n"},
      {"post-cl", Q, "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789"},
      {"post-cl-zero", Q, "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"},
      {"post-chunked", Q,
       "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5\r\nhello\r\n1a;ext=v;q=\"x y\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: 1\r\n\r\n"},
      {"post-chunked-big", Q, big_chunked},
      {"chunk-sizes-1-to-5-digits", Q, sizes},
      {"te-chunked-fast-path-variants", Q,
       "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:   chunked  \r\n\r\n2\r\nab\r\n0\r\n\r\n"
       "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
       "POST / HTTP/1.1\r\nHost: a\r\nTRANSFER-ENCODING: Chunked\r\n\r\n0\r\n\r\n"},
      {"te-chunked-cut", Q, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunk"},
      {"chunk-size-at-end", Q, "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfff"},
      {"chunk-size-overflow", Q,
       "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n"},
      {"chunk-ext-at-end", Q, "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b"},
      {"trailer-at-end", Q,
       "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTrailer-Field: va"},
      {"truncated-version", Q, "GET / HTTP/1."},
      {"truncated-header-name", Q, "GET / HTTP/1.1\r\nHos"},
      {"truncated-cr", Q, "GET / HTTP/1.1\r\nHost: a\r"},
      {"content-length-at-end", Q, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12345"},
      {"smuggle-cl-te", Q,
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"obs-fold", Q, "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"},
      {"bare-lf", Q, "GET / HTTP/1.1\nHost: a\n\n"},
      {"bare-cr", Q, "GET / HTTP/1.1\rHost: a\r\n\r\n"},
      {"nul-in-value", Q, std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 34)},
      {"high-bytes", Q, "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\nX: \xff\xfe\r\n\r\n"},
      {"connect", Q, "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\nrest"},
      {"upgrade", Q,
       "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nframes"},
      {"res-cl", R, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
      {"res-chunked", R, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
      {"res-eof-body", R, "HTTP/1.1 200 OK\r\n\r\nread until close"},
      {"res-truncated-status", R, "HTTP/1.1 20"},
      {"res-truncated-reason", R, "HTTP/1.1 200 O"},
      {"res-100-200", R, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"},
      {"res-204", R, "HTTP/1.1 204 No Content\r\n\r\n"},
      {"garbage", Q, "\x01\x02\x03\xff\r\n\r\n"},
  };
  // Complete heads (the whole-head fast path) of every length modulo 16 and more, so that each
  // SIMD block boundary falls at the guard page: url, Host and a field value of varying length.
  for (int n = 0; n < 48; n++) {
    std::string head = "GET /" + std::string(n, 'u') + " HTTP/1.1\r\nHost: h" + std::string(n % 19, 'o') +
                       "\r\nX-V: " + std::string((n * 7) % 23, 'v') + "\r\n\r\n";
    out.push_back({"aligned-head-" + std::to_string(n), Q, head});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = OnSegv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, nullptr);
  sigaction(SIGBUS, &sa, nullptr);

  std::vector<Config> configs;
  {
    Config strict{"strict", ParserLimits()};
    Config lenient{"lenient", ParserLimits()};
    lenient.limits.lenient = true;
    Config small{"small-limits", ParserLimits()};
    small.limits.max_header_size = 48;
    small.limits.max_chunk_extension_size = 3;
    Config scalar{"strict-scalar", ParserLimits(), true};
    configs = {strict, lenient, small, scalar};
  }
  const char* only = argc > 1 ? argv[1] : nullptr;

  GuardedRegion a(8192), b(8192);
  size_t parses = 0, inputs = 0, mismatches = 0;
  for (const Input& in : Inputs()) {
    if (only && in.name != only) continue;
    g_input_name = in.name.c_str();
    inputs++;
    std::string summary;
    for (const Config& cfg : configs) {
      g_phase = "whole";
      Result whole = Parse(in, cfg, {}, a, b, true);
      parses++;
      g_phase = "prefix";
      for (size_t len = 0; len < in.data.size(); len++) {
        g_split = len;
        Input prefix{in.name, in.type, in.data.substr(0, len)};
        Parse(prefix, cfg, {}, a, b, true);
        parses++;
      }
      g_phase = "split";
      for (size_t k = 0; k <= in.data.size(); k++) {
        g_split = k;
        Result r = Parse(in, cfg, {k}, a, b, true);
        parses++;
        if (!(r == whole)) {
          fprintf(stderr, "MISMATCH: %s/%s split at %zu: error %s vs whole %s\n", in.name.c_str(),
                  cfg.name, k, ParseErrorCode(r.error), ParseErrorCode(whole.error));
          mismatches++;
        }
      }
      g_phase = "bytewise";
      std::vector<size_t> cuts;
      for (size_t k = 1; k < in.data.size(); k++) cuts.push_back(k);
      Result r = Parse(in, cfg, cuts, a, b, true);
      parses++;
      if (!(r == whole)) {
        fprintf(stderr, "MISMATCH: %s/%s byte by byte: error %s vs whole %s\n", in.name.c_str(),
                cfg.name, ParseErrorCode(r.error), ParseErrorCode(whole.error));
        mismatches++;
      }
      char buf[160];
      snprintf(buf, sizeof buf, " %s=%s/%llu/%llu", cfg.name,
               whole.error == ParseError::kOk ? (whole.paused ? "paused" : "ok") : ParseErrorCode(whole.error),
               static_cast<unsigned long long>(whole.heads), static_cast<unsigned long long>(whole.completes));
      summary += buf;
    }
    printf("%-22s%s\n", in.name.c_str(), summary.c_str());
  }
  printf("guard-page: %zu inputs, %zu parses, %zu mismatches, no fault\n", inputs, parses, mismatches);
  return mismatches == 0 ? 0 : 1;
}
