#include "field_names.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace uvhttp {

namespace {
// What browsers, curl, load generators and HTTP libraries send, in the two spellings seen on the
// wire: Title-Case (HTTP/1.1 clients) and lowercase (clients built on HTTP/2 conventions, undici).
constexpr const char* kCommonNames[] = {
    "Host", "host", "Connection", "connection", "User-Agent", "user-agent", "Accept", "accept",
    "Accept-Encoding", "accept-encoding", "Accept-Language", "accept-language", "Content-Type",
    "content-type", "Content-Length", "content-length", "Cookie", "cookie", "Referer", "referer",
    "Origin", "origin", "Cache-Control", "cache-control", "Pragma", "pragma", "Authorization",
    "authorization", "If-None-Match", "if-none-match", "If-Modified-Since", "if-modified-since",
    "Upgrade-Insecure-Requests", "upgrade-insecure-requests", "X-Forwarded-For", "x-forwarded-for",
    "X-Forwarded-Proto", "x-forwarded-proto", "X-Real-IP", "x-real-ip", "X-Requested-With",
    "x-requested-with", "Sec-Fetch-Site", "sec-fetch-site", "Sec-Fetch-Mode", "sec-fetch-mode",
    "Sec-Fetch-Dest", "sec-fetch-dest", "Sec-Fetch-User", "sec-fetch-user", "Sec-CH-UA",
    "sec-ch-ua", "Sec-CH-UA-Mobile", "sec-ch-ua-mobile", "Sec-CH-UA-Platform",
    "sec-ch-ua-platform", "Transfer-Encoding", "transfer-encoding", "Keep-Alive", "keep-alive",
    "Upgrade", "upgrade", "Expect", "expect", "Range", "range", "DNT", "dnt", "TE", "te",
};
constexpr size_t kNameCount = sizeof(kCommonNames) / sizeof(kCommonNames[0]);
constexpr size_t kMaxLength = 32;

// Indices into kCommonNames by length: a lookup compares with at most a few names.
struct LengthIndex {
  std::array<std::vector<uint8_t>, kMaxLength + 1> by_length;
  LengthIndex() {
    for (size_t i = 0; i < kNameCount; ++i) {
      by_length[std::strlen(kCommonNames[i])].push_back(static_cast<uint8_t>(i));
    }
  }
};

const LengthIndex& Index() {
  static const LengthIndex index;  // immutable after construction: shared by every environment
  return index;
}
}  // namespace

int FindFieldName(const char* data, size_t length) {
  if (length == 0 || length > kMaxLength) return -1;
  for (uint8_t i : Index().by_length[length]) {
    const char* name = kCommonNames[i];
    if (name[0] == data[0] && std::memcmp(name, data, length) == 0) return i;
  }
  return -1;
}

Napi::Array FieldNameList(Napi::Env env) {
  Napi::Array list = Napi::Array::New(env, kNameCount);
  for (size_t i = 0; i < kNameCount; ++i) list.Set(static_cast<uint32_t>(i), kCommonNames[i]);
  return list;
}

}  // namespace uvhttp
