// Sanitizer replay of the jest fixtures: every fixture whole, at every 2-way split, byte by byte
// and in random pieces, on both scan paths, each piece in an exactly-sized heap buffer so that
// any read past the input is caught by ASan.
//
//   mkdir -p /tmp/pdump && PARSER_DUMP_DIR=/tmp/pdump npx jest test/parser/
//   g++ -O1 -g -std=c++17 -fsanitize=address,undefined -fno-sanitize-recover=all \
//       -Inative/parser test/parser/native_replay.cc native/parser/http_parser.cc -o /tmp/replay
//   /tmp/replay $(ls /tmp/pdump/*.bin | sed 's/\.bin$//')
#include "http_parser.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
using namespace uvhttp;
struct Rec : HttpParser::Handler {
  std::string log; HeadAction act = HeadAction::kContinue;
  HeadAction OnHead(const MessageHead& h) override {
    log += "H" + std::string(h.url.data, h.url.len) + std::to_string(h.status_code);
    for (uint32_t i = 0; i < h.header_count; i++) { log += std::string(h.headers[i].name.data, h.headers[i].name.len) + "=" + std::string(h.headers[i].value.data, h.headers[i].value.len) + ";"; }
    return act; }
  void OnBody(const char* d, size_t n) override { log += std::string(d, n); }
  void OnMessageComplete(const HeaderField* t, uint32_t c) override { log += "C"; for (uint32_t i = 0; i < c; i++) log += std::string(t[i].value.data, t[i].value.len); }
};
static std::string Run(const std::string& in, const std::vector<size_t>& cuts, const ParserLimits& l, bool resp, HeadAction act, bool scalar) {
  Rec r; r.act = act; HttpParser p(resp ? HttpParser::Type::kResponse : HttpParser::Type::kRequest, &r, l);
  p.SetScalarScanForTesting(scalar);
  size_t prev = 0;
  std::vector<size_t> c = cuts; c.push_back(in.size());
  for (size_t cut : c) {
    size_t n = cut - prev;
    char* buf = static_cast<char*>(malloc(n ? n : 1));
    memcpy(buf, in.data() + prev, n);
    p.Execute(buf, n);
    free(buf);
    prev = cut;
    if (p.error() != ParseError::kOk || p.paused()) break;
  }
  p.Finish();
  return r.log + "|" + ParseErrorCode(p.error()) + std::to_string(p.error_offset());
}
int main(int argc, char** argv) {
  int bad = 0;
  srand(1);
  for (int a = 1; a < argc; a++) {
    std::string base = argv[a];
    std::ifstream fc(base + ".cfg"); int resp, len, mhs, mce, rh; std::string act; int lfv = 0; fc >> resp >> len >> mhs >> mce >> rh >> act >> lfv;
    std::ifstream fb(base + ".bin", std::ios::binary); std::stringstream ss; ss << fb.rdbuf(); std::string in = ss.str();
    ParserLimits l; l.lenient = len; l.lenient_field_values = lfv; if (mhs) l.max_header_size = mhs; if (mce >= 0) l.max_chunk_extension_size = mce; l.require_host = rh;
    HeadAction ha = act == "pause" ? HeadAction::kPause : act == "skipBody" ? HeadAction::kSkipBody : act == "pauseAfterMessage" ? HeadAction::kPauseAfterMessage : HeadAction::kContinue;
    for (int scalar = 0; scalar < 2; scalar++) {
      std::string whole = Run(in, {}, l, resp, ha, scalar);
      size_t step = in.size() > 3000 ? in.size() / 50 : 1;
      for (size_t k = 1; k < in.size(); k += step) {
        if (Run(in, {k}, l, resp, ha, scalar) != whole) { printf("MISMATCH split %zu %s\n", k, base.c_str()); bad++; break; }
      }
      if (in.size() < 5000) {
        std::vector<size_t> all; for (size_t k = 1; k < in.size(); k++) all.push_back(k);
        if (Run(in, all, l, resp, ha, scalar) != whole) { printf("MISMATCH bytes %s\n", base.c_str()); bad++; }
      }
      for (int t = 0; t < 20; t++) {
        std::vector<size_t> cuts; size_t pos = 0;
        while (true) { pos += 1 + rand() % 40; if (pos >= in.size()) break; cuts.push_back(pos); }
        if (Run(in, cuts, l, resp, ha, scalar) != whole) { printf("MISMATCH random %s\n", base.c_str()); bad++; break; }
      }
    }
  }
  printf("done, %d mismatches\n", bad);
  return bad != 0;
}
