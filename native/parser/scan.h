// Vector scans used on the parser's hot path: find the first byte that ends a "clean" run of a
// head line (strict: any CTL other than HTAB, or DEL; lenient: NUL, CR or LF).
//
// The vector scans are written once over simd.h, which maps them to SSE2 on x86-64 and NEON on
// AArch64 (both part of the baseline, so used unconditionally). Elsewhere (or when
// UVHTTP_PARSER_SCALAR is defined) a portable SWAR/scalar scanner is the only one. Both are
// always compiled so the tests can run the scalar one through the probe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "char_tables.h"
#include "simd.h"

namespace uvhttp {
namespace scan {

inline unsigned Ctz32(uint32_t v) {
#if defined(__GNUC__) || defined(__clang__)
  return static_cast<unsigned>(__builtin_ctz(v));
#else
  unsigned n = 0;
  while (!(v & 1)) { v >>= 1; n++; }
  return n;
#endif
}

inline unsigned Ctz64(uint64_t v) {
#if defined(__GNUC__) || defined(__clang__)
  return static_cast<unsigned>(__builtin_ctzll(v));
#else
  unsigned n = 0;
  while (!(v & 1)) { v >>= 1; n++; }
  return n;
#endif
}

// Scalar with an 8-byte SWAR pre-check: a word with no byte < 0x20 and no 0x7f is skipped whole.
inline size_t SpecialScalar(const char* p, size_t from, size_t to, bool lenient) {
  const uint8_t cls = lenient ? chars::kSpecialLenient : chars::kSpecialStrict;
  size_t i = from;
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  while (i + 8 <= to) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    // Bytes < 0x20 (ignoring bytes >= 0x80), and bytes == 0x7f.
    uint64_t lt = (w - kOnes * 0x20) & ~w & kHigh;
    uint64_t x = w ^ (kOnes * 0x7f);
    uint64_t del = (x - kOnes) & ~x & kHigh;
    if (lt | del) {
      for (size_t k = 0; k < 8; k++) {
        if (chars::Is(static_cast<uint8_t>(p[i + k]), cls)) return i + k;
      }
    }
    i += 8;
  }
  for (; i < to; i++) {
    if (chars::Is(static_cast<uint8_t>(p[i]), cls)) return i;
  }
  return to;
}

#ifdef UVHTTP_PARSER_SIMD
// Special bytes (strict: a CTL other than HTAB, or DEL) of the 16 bytes of v, as lanes.
inline simd::V SpecialLanes(simd::V v) {
  return simd::Or(simd::AndNot(simd::AtMost(v, 0x1f), simd::Eq(v, '\t')), simd::Eq(v, 0x7f));
}

// The same, as a bit mask.
inline uint32_t SpecialMask16(simd::V v) { return simd::Mask(SpecialLanes(v)); }

inline size_t SpecialSimd(const char* p, size_t from, size_t to, bool lenient) {
  size_t i = from;
  if (!lenient) {
    while (i + 16 <= to) {
      const simd::V v = simd::Load(p + i);
      // v <= 0x1f (unsigned) or v == 0x7f; HTAB is weeded out below (rare in heads).
      const simd::V bad = simd::Or(simd::AtMost(v, 0x1f), simd::Eq(v, 0x7f));
      if (simd::Any(bad)) {
        const uint32_t m = simd::Mask(simd::AndNot(bad, simd::Eq(v, '\t')));
        if (m) return i + Ctz32(m);
      }
      i += 16;
    }
    // Tail: the last 16 bytes before `to` (p[0..to) is readable), shifted, instead of the
    // scalar loop.
    if (i < to && to >= 16) {
      const size_t q = to - 16;
      const unsigned sh = static_cast<unsigned>(i - q);
      const uint32_t m = SpecialMask16(simd::Load(p + q)) >> sh;
      return m ? i + Ctz32(m) : to;
    }
  } else {
    while (i + 16 <= to) {
      const simd::V v = simd::Load(p + i);
      const simd::V bad = simd::Or(simd::Or(simd::Eq(v, '\r'), simd::Eq(v, '\n')), simd::Eq(v, 0));
      if (simd::Any(bad)) return i + Ctz32(simd::Mask(bad));
      i += 16;
    }
  }
  return SpecialScalar(p, i, to, lenient);
}
#endif

#ifdef UVHTTP_PARSER_SIMD
// ALPHA / DIGIT / "-" bytes of v.
inline simd::V AlnumDash(simd::V v) {
  return simd::Or(simd::Or(simd::InRange(simd::Or(v, simd::Splat(0x20)), 'a', 'z'), simd::InRange(v, '0', '9')),
                  simd::Eq(v, '-'));
}

// ALPHA / DIGIT / "-" / "." bytes of v (the usual Host value): ALPHA, or '-' (0x2d) '.' (0x2e)
// DIGIT (0x30..0x39), which are a range but for '/' (0x2f).
inline simd::V HostSimple(simd::V v) {
  return simd::Or(simd::InRange(simd::Or(v, simd::Splat(0x20)), 'a', 'z'),
                  simd::AndNot(simd::InRange(v, '-', '9'), simd::Eq(v, '/')));
}

// Bytes of v that may not stand in a request-target (anything but 0x21..0x7e).
inline uint32_t NonUrlMask(simd::V v) { return simd::Mask(simd::InRange(v, 0x21, 0x7e)) ^ 0xffffu; }

// Length of the leading run of ALPHA / DIGIT / "-" in the 16 bytes at p (16 if all are).
inline size_t SimpleNameLen(const char* p) {
  const uint32_t m = simd::Mask(AlnumDash(simd::Load(p))) ^ 0xffffu;
  return m ? Ctz32(m) : 16;
}
#else
inline size_t SimpleNameLen(const char*) { return 0; }  // no fast path
#endif

// The scans below take `readable`: bytes of p up to that index may be loaded (they lie in the
// same buffer) even past `to`; results are clipped to `to`.

// First index in [from, to) that is not a tchar (RFC 9110 §5.6.2), or `to`.
inline size_t ScanToken(const char* p, size_t from, size_t to, size_t readable, bool scalar) {
  size_t i = from;
#ifdef UVHTTP_PARSER_SIMD
  if (!scalar) {
    // Vector fast path for ALPHA / DIGIT / "-" (nearly every field name); any other byte is
    // judged by the table, and the scan goes on after it if it is a tchar.
    while (i < to && i + 16 <= readable) {
      uint32_t m = simd::Mask(AlnumDash(simd::Load(p + i))) ^ 0xffffu;
      if (to - i < 16) m |= 1u << (to - i);
      if (!m) {
        i += 16;
        continue;
      }
      i += Ctz32(m);
      if (i >= to) return to;
      if (!chars::Is(static_cast<uint8_t>(p[i]), chars::kToken)) return i;
      i++;
    }
  }
#endif
  (void)scalar;
  (void)readable;
  while (i < to && chars::Is(static_cast<uint8_t>(p[i]), chars::kToken)) i++;
  return i;
}

// First index in [from, to) that is not a request-target byte (VCHAR: 0x21..0x7e), or `to`.
inline size_t ScanUrl(const char* p, size_t from, size_t to, size_t readable, bool scalar) {
  size_t i = from;
#ifdef UVHTTP_PARSER_SIMD
  if (!scalar) {
    while (i < to && i + 16 <= readable) {
      const uint32_t m = NonUrlMask(simd::Load(p + i));
      if (m) {
        size_t r = i + Ctz32(m);
        return r < to ? r : to;
      }
      i += 16;
    }
    if (i >= to) return to;
  }
#endif
  (void)scalar;
  (void)readable;
  while (i < to && chars::Is(static_cast<uint8_t>(p[i]), chars::kUrl)) i++;
  return i;
}

// True when p[0..n) (n <= 16) is all ALPHA / DIGIT / "-" / "." (the usual Host value); false
// means "look closer", not "invalid". `readable` bytes from p, and `before` bytes before p, may
// be loaded.
inline bool AllHostSimple(const char* p, size_t n, size_t before, size_t readable, bool scalar) {
#ifdef UVHTTP_PARSER_SIMD
  if (!scalar && n > 0 && n <= 16 && (readable >= 16 || before + n >= 16)) {
    // Load 16 bytes starting at p, or ending at p + n.
    const size_t shift = readable >= 16 ? 0 : 16 - n;
    const uint32_t m = simd::Mask(HostSimple(simd::Load(p - shift)));
    const uint32_t want = (n == 16 ? 0xffffu : ((1u << n) - 1)) << shift;
    return (m & want) == want;
  }
#endif
  (void)p; (void)n; (void)before; (void)readable; (void)scalar;
  return false;
}

#ifdef UVHTTP_PARSER_SIMD
// Helpers of the whole-head fast path. They take a buffer p[0..n) with n >= 16 and an index
// i < n; when fewer than 16 bytes follow i, the window is the last 16 bytes of the buffer,
// shifted, so nothing outside p[0..n) is ever loaded. Results are clipped to n.

// 16 bytes at p + i (or the buffer's last 16), and the shift that maps bit j + sh to byte i + j.
inline simd::V LoadWindow(const char* p, size_t i, size_t n, unsigned* sh) {
  if (i + 16 <= n) {
    *sh = 0;
    return simd::Load(p + i);
  }
  *sh = static_cast<unsigned>(i - (n - 16));
  return simd::Load(p + n - 16);
}

// Length of the run of ALPHA / DIGIT / "-" at p + i, at most 16 and at most n - i.
inline size_t NameRun(const char* p, size_t i, size_t n) {
  unsigned sh;
  const simd::V v = LoadWindow(p, i, n, &sh);
  const uint32_t m = (simd::Mask(AlnumDash(v)) >> sh) ^ 0xffffu;
  return Ctz32(m | 0x10000u);
}

// Length of the run of ALPHA / DIGIT / "-" / "." at p + i (the usual Host value), at most 16
// and at most n - i.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline size_t HostRun(const char* p, size_t i, size_t n) {
  unsigned sh;
  const simd::V v = LoadWindow(p, i, n, &sh);
  const uint32_t m = (simd::Mask(HostSimple(v)) >> sh) ^ 0xffffu;
  return Ctz32(m | 0x10000u);
}

// Special bytes of p[base .. base + 64) as a bit mask (bit j: byte base + j); bytes at or past
// n are never set. base < n. Computed a block at a time, independently of where lines start,
// so that finding the end of each line is a shift and a count of trailing zeros rather than a
// scan whose start depends on the previous line.
inline uint64_t SpecialBits64(const char* p, size_t base, size_t n) {
  if (base + 64 <= n) {
    const char* q = p + base;
    return simd::Mask64(SpecialLanes(simd::Load(q)), SpecialLanes(simd::Load(q + 16)),
                        SpecialLanes(simd::Load(q + 32)), SpecialLanes(simd::Load(q + 48)));
  }
  uint64_t m = 0;
  for (size_t k = 0; k < 64 && base + k < n; k += 16) {
    unsigned sh;
    const simd::V v = LoadWindow(p, base + k, n, &sh);
    m |= static_cast<uint64_t>(SpecialMask16(v) >> sh) << k;
  }
  return m;
}

// First index >= i that is not a request-target byte (0x21..0x7e), or n.
inline size_t UrlEnd(const char* p, size_t i, size_t n) {
  for (;;) {
    if (i >= n) return n;
    unsigned sh;
    const simd::V v = LoadWindow(p, i, n, &sh);
    const uint32_t m = NonUrlMask(v) >> sh;
    if (m) return i + Ctz32(m);
    i += 16 - sh;
  }
}
#endif

// First index in [from, to) holding a special byte, or `to`.
inline size_t FindSpecial(const char* p, size_t from, size_t to, bool lenient, bool scalar) {
#ifdef UVHTTP_PARSER_SIMD
  if (!scalar) return SpecialSimd(p, from, to, lenient);
#endif
  (void)scalar;
  return SpecialScalar(p, from, to, lenient);
}

}  // namespace scan
}  // namespace uvhttp
