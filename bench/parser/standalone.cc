// The parser alone (no N-API, no llhttp) on the inputs of bench/parser/run.js, for comparing
// builds of it where the addon cannot be benchmarked: bench/parser/arm64.sh builds it for
// AArch64 with the NEON scans and with -DUVHTTP_PARSER_SCALAR and runs both under qemu-user.
//
//   standalone ITERATIONS [INPUT]   prints "<input> <ns per message> <checksum>" for each input
//                                   (or only INPUT: small-get, browser-head, chunked-64k)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../../native/parser/http_parser.h"

namespace {

// What a real handler costs at least: every span is read.
class Sink final : public uvhttp::HttpParser::Handler {
 public:
  uint64_t messages = 0;
  uint64_t mix = 0;
  void Touch(const char* p, size_t n) {
    if (n) mix += static_cast<uint8_t>(p[0]) + static_cast<uint8_t>(p[n - 1]) + n;
  }
  uvhttp::HeadAction OnHead(const uvhttp::MessageHead& head) override {
    Touch(head.url.data, head.url.len);
    for (uint32_t i = 0; i < head.header_count; i++) {
      Touch(head.headers[i].name.data, head.headers[i].name.len);
      Touch(head.headers[i].value.data, head.headers[i].value.len);
    }
    return uvhttp::HeadAction::kContinue;
  }
  void OnBody(const char* data, size_t len) override { Touch(data, len); }
  void OnMessageComplete(const uvhttp::HeaderField*, uint32_t) override { messages++; }
};

std::string Browser() {
  std::string cookie = "Cookie: ";
  const std::string hex = "abcdef0123456789";
  for (int i = 0; i < 12; i++) {
    if (i) cookie += "; ";
    cookie += "session_" + std::to_string(i) + "=" + hex.substr(0, 8 + (i % 8)) + std::to_string(i);
  }
  const char* fields[] = {
      "Host: www.example.com",
      "Connection: keep-alive",
      "Cache-Control: max-age=0",
      "sec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"",
      "sec-ch-ua-mobile: ?0",
      "sec-ch-ua-platform: \"Linux\"",
      "Upgrade-Insecure-Requests: 1",
      "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
      "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
      "Sec-Fetch-Site: same-origin",
      "Sec-Fetch-Mode: navigate",
      "Sec-Fetch-User: ?1",
      "Sec-Fetch-Dest: document",
      "Referer: https://www.example.com/articles/2024/05/http-parsing",
      "Accept-Encoding: gzip, deflate, br, zstd",
      "Accept-Language: en-US,en;q=0.9,de;q=0.8,fr;q=0.7",
      "If-None-Match: W/\"5f3c-1a2b3c4d5e6f\"",
      "If-Modified-Since: Tue, 14 May 2024 10:00:00 GMT",
      "DNT: 1",
      "Priority: u=0, i",
      "X-Requested-With: XMLHttpRequest",
      "X-Forwarded-For: 203.0.113.7, 198.51.100.23",
      "X-Request-Id: 7f1d2c3b-4a5e-6f70-8192-a3b4c5d6e7f8",
      "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
  };
  std::string head = "GET /articles/2024/05/http-parsing-in-depth?page=2&sort=recent HTTP/1.1\r\n";
  for (const char* f : fields) head += std::string(f) + "\r\n";
  return head + cookie + "\r\n\r\n";
}

std::string Chunked() {
  std::string s = "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 64; i++) s += "400\r\n" + std::string(1024, 'x') + "\r\n";
  return s + "0\r\n\r\n";
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t iterations = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 10000;
  const struct {
    const char* name;
    std::string input;
  } inputs[] = {
      {"small-get", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"},
      {"browser-head", Browser()},
      {"chunked-64k", Chunked()},
  };
  for (const auto& in : inputs) {
    if (argc > 2 && std::string(argv[2]) != in.name) continue;
    Sink sink;
    uvhttp::ParserLimits limits;
    limits.max_header_size = 64 * 1024;
    uvhttp::HttpParser parser(uvhttp::HttpParser::Type::kRequest, &sink, limits);
    const auto t0 = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < iterations; i++) {
      if (parser.Execute(in.input.data(), in.input.size()) != in.input.size() ||
          parser.error() != uvhttp::ParseError::kOk) {
        std::fprintf(stderr, "%s: %s\n", in.name, parser.error_reason());
        return 1;
      }
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (sink.messages != iterations) return 1;
    std::printf("%s %.1f %llu\n", in.name, std::chrono::duration<double, std::nano>(t1 - t0).count() / iterations,
                static_cast<unsigned long long>(sink.mix & 0xff));
  }
  return 0;
}
