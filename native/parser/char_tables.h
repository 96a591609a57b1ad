// Character classes for the HTTP/1.x parser (RFC 9110 §5.6.2 token, §5.5 field values,
// RFC 3986 authority), as 256-entry tables built at compile time.
#pragma once

#include <cstdint>

namespace uvhttp {
namespace chars {

enum : uint8_t {
  kToken = 1 << 0,          // tchar
  kSpecialStrict = 1 << 1,  // ends a clean run in strict mode: CTL except HTAB, and DEL
  kSpecialLenient = 1 << 2, // ends a clean run in lenient mode: NUL, CR, LF
  kUrl = 1 << 3,            // request-target byte: VCHAR (no CTL, SP, DEL, non-ASCII)
  kHostChar = 1 << 4,       // unreserved / sub-delims (reg-name without pct-encoding)
  kQdText = 1 << 5,         // qdtext (RFC 9110 §5.6.4)
  kVcharObs = 1 << 6,       // HTAB / SP / VCHAR / obs-text (quoted-pair second byte)
};

struct Tables {
  uint8_t cls[256];
  int8_t hex[256];  // value of a hex digit, or -1
};

constexpr bool IsAlpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool IsDigit(int c) { return c >= '0' && c <= '9'; }

constexpr Tables MakeTables() {
  Tables t{};
  for (int c = 0; c < 256; c++) {
    uint8_t v = 0;
    bool alnum = IsAlpha(c) || IsDigit(c);
    const char* tspecial = "!#$%&'*+-.^_`|~";
    bool tok = alnum;
    for (const char* p = tspecial; *p; ++p) tok = tok || c == *p;
    if (tok) v |= kToken;
    if ((c < 0x20 && c != '\t') || c == 0x7f) v |= kSpecialStrict;
    if (c == 0 || c == '\r' || c == '\n') v |= kSpecialLenient;
    if (c > 0x20 && c < 0x7f) v |= kUrl;
    bool host = alnum || c == '-' || c == '.' || c == '_' || c == '~';
    const char* subdelims = "!$&'()*+,;=";
    for (const char* p = subdelims; *p; ++p) host = host || c == *p;
    if (host) v |= kHostChar;
    if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
        (c >= 0x5d && c <= 0x7e) || c >= 0x80)
      v |= kQdText;
    if (c == '\t' || (c >= 0x20 && c <= 0x7e) || c >= 0x80) v |= kVcharObs;
    t.cls[c] = v;
    t.hex[c] = IsDigit(c) ? static_cast<int8_t>(c - '0')
               : (c >= 'a' && c <= 'f') ? static_cast<int8_t>(c - 'a' + 10)
               : (c >= 'A' && c <= 'F') ? static_cast<int8_t>(c - 'A' + 10)
                                        : static_cast<int8_t>(-1);
  }
  return t;
}

inline constexpr Tables kTables = MakeTables();

inline bool Is(uint8_t c, uint8_t cls) { return (kTables.cls[c] & cls) != 0; }
inline int Hex(uint8_t c) { return kTables.hex[c]; }

}  // namespace chars
}  // namespace uvhttp
