// Vector scans used on the parser's hot path: find the first byte that ends a "clean" run of a
// head line (strict: any CTL other than HTAB, or DEL; lenient: NUL, CR or LF).
//
// SSE2 is part of the x86-64 baseline, so it is used unconditionally there. Elsewhere (or when
// UVHTTP_PARSER_SCALAR is defined) a portable SWAR/scalar scanner is the only one. Both are
// always compiled so the tests can run the scalar one through the probe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "char_tables.h"

#if (defined(__x86_64__) || defined(_M_X64)) && !defined(UVHTTP_PARSER_SCALAR)
#define UVHTTP_PARSER_SSE2 1
#include <emmintrin.h>
#endif

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

#ifdef UVHTTP_PARSER_SSE2
// Special bytes (strict: a CTL other than HTAB, or DEL) of the 16 bytes of v, as a bit mask.
inline uint32_t SpecialMask16(__m128i v) {
  const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
  const __m128i tab = _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'));
  const __m128i del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f));
  return static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(tab, ctl), del)));
}

inline size_t SpecialSse2(const char* p, size_t from, size_t to, bool lenient) {
  size_t i = from;
  if (!lenient) {
    const __m128i k1f = _mm_set1_epi8(0x1f);
    const __m128i kTab = _mm_set1_epi8('\t');
    const __m128i kDel = _mm_set1_epi8(0x7f);
    while (i + 16 <= to) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      // v <= 0x1f (unsigned) or v == 0x7f; HTAB is weeded out below (rare in heads).
      __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, k1f), v);
      __m128i bad = _mm_or_si128(ctl, _mm_cmpeq_epi8(v, kDel));
      uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(bad));
      if (m) {
        // Drop HTAB hits.
        m &= ~static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, kTab)));
        if (m) return i + Ctz32(m);
      }
      i += 16;
    }
    // Tail: the last 16 bytes before `to` (p[0..to) is readable), shifted, instead of the
    // scalar loop.
    if (i < to && to >= 16) {
      const size_t q = to - 16;
      const unsigned sh = static_cast<unsigned>(i - q);
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + q));
      const uint32_t m = SpecialMask16(v) >> sh;
      return m ? i + Ctz32(m) : to;
    }
  } else {
    const __m128i kCr = _mm_set1_epi8('\r');
    const __m128i kLf = _mm_set1_epi8('\n');
    const __m128i kZero = _mm_setzero_si128();
    while (i + 16 <= to) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, kCr), _mm_cmpeq_epi8(v, kLf)),
                                 _mm_cmpeq_epi8(v, kZero));
      uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(bad));
      if (m) return i + Ctz32(m);
      i += 16;
    }
  }
  return SpecialScalar(p, i, to, lenient);
}
#endif

#ifdef UVHTTP_PARSER_SSE2
// Bytes of v in [lo, hi] (unsigned, hi - lo < 128): a bias moves lo to -128, then one signed
// compare.
inline __m128i InRange(__m128i v, int lo, int hi) {
  const __m128i biased = _mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - lo)));
  return _mm_cmplt_epi8(biased, _mm_set1_epi8(static_cast<char>(-128 + (hi - lo + 1))));
}

// ALPHA / DIGIT / "-" bytes of v.
inline __m128i AlnumDash(__m128i v) {
  const __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
  return _mm_or_si128(_mm_or_si128(InRange(l, 'a', 'z'), InRange(v, '0', '9')),
                      _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
}

// Length of the leading run of ALPHA / DIGIT / "-" in the 16 bytes at p (16 if all are).
inline size_t SimpleNameLen(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(AlnumDash(v))) ^ 0xffffu;
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
#ifdef UVHTTP_PARSER_SSE2
  if (!scalar) {
    // Vector fast path for ALPHA / DIGIT / "-" (nearly every field name); any other byte is
    // judged by the table, and the scan goes on after it if it is a tchar.
    while (i < to && i + 16 <= readable) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      __m128i ok = AlnumDash(v);
      uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(ok)) ^ 0xffffu;
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
#ifdef UVHTTP_PARSER_SSE2
  if (!scalar) {
    const __m128i k21 = _mm_set1_epi8(0x21);
    const __m128i kDel = _mm_set1_epi8(0x7f);
    while (i < to && i + 16 <= readable) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      // Signed: bytes >= 0x80 are negative, so "< 0x21" covers CTL, SP and non-ASCII.
      __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, k21), _mm_cmpeq_epi8(v, kDel));
      uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(bad));
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
#ifdef UVHTTP_PARSER_SSE2
  if (!scalar && n > 0 && n <= 16 && (readable >= 16 || before + n >= 16)) {
    // Load 16 bytes starting at p, or ending at p + n.
    const size_t shift = readable >= 16 ? 0 : 16 - n;
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p - shift));
    const __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
    // '-' (0x2d), '.' (0x2e) and digits (0x30..0x39), without '/' (0x2f).
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i dd = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                              _mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
    uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(alpha, digit), dd)));
    uint32_t want = (n == 16 ? 0xffffu : ((1u << n) - 1)) << shift;
    return (m & want) == want;
  }
#endif
  (void)p; (void)n; (void)before; (void)readable; (void)scalar;
  return false;
}

#ifdef UVHTTP_PARSER_SSE2
// Helpers of the whole-head fast path. They take a buffer p[0..n) with n >= 16 and an index
// i < n; when fewer than 16 bytes follow i, the window is the last 16 bytes of the buffer,
// shifted, so nothing outside p[0..n) is ever loaded. Results are clipped to n.

// 16 bytes at p + i (or the buffer's last 16), and the shift that maps bit j + sh to byte i + j.
inline __m128i LoadWindow(const char* p, size_t i, size_t n, unsigned* sh) {
  if (i + 16 <= n) {
    *sh = 0;
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
  }
  *sh = static_cast<unsigned>(i - (n - 16));
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
}

// Length of the run of ALPHA / DIGIT / "-" at p + i, at most 16 and at most n - i.
inline size_t NameRun(const char* p, size_t i, size_t n) {
  unsigned sh;
  const __m128i v = LoadWindow(p, i, n, &sh);
  uint32_t m = (static_cast<uint32_t>(_mm_movemask_epi8(AlnumDash(v))) >> sh) ^ 0xffffu;
  return Ctz32(m | 0x10000u);
}

// Length of the run of ALPHA / DIGIT / "-" / "." at p + i (the usual Host value), at most 16
// and at most n - i.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline size_t HostRun(const char* p, size_t i, size_t n) {
  unsigned sh;
  const __m128i v = LoadWindow(p, i, n, &sh);
  // ALPHA, or '-' (0x2d) '.' (0x2e) '/' (0x2f) DIGIT (0x30..0x39) without '/'.
  const __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
  const __m128i alpha = InRange(l, 'a', 'z');
  const __m128i dd = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')), InRange(v, '-', '9'));
  uint32_t m = (static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(alpha, dd))) >> sh) ^ 0xffffu;
  return Ctz32(m | 0x10000u);
}

// Special bytes of p[base .. base + 64) as a bit mask (bit j: byte base + j); bytes at or past
// n are never set. base < n. Computed a block at a time, independently of where lines start,
// so that finding the end of each line is a shift and a count of trailing zeros rather than a
// scan whose start depends on the previous line.
inline uint64_t SpecialBits64(const char* p, size_t base, size_t n) {
  if (base + 64 <= n) {
    const __m128i* q = reinterpret_cast<const __m128i*>(p + base);
    return static_cast<uint64_t>(SpecialMask16(_mm_loadu_si128(q))) |
           static_cast<uint64_t>(SpecialMask16(_mm_loadu_si128(q + 1))) << 16 |
           static_cast<uint64_t>(SpecialMask16(_mm_loadu_si128(q + 2))) << 32 |
           static_cast<uint64_t>(SpecialMask16(_mm_loadu_si128(q + 3))) << 48;
  }
  uint64_t m = 0;
  for (size_t k = 0; k < 64 && base + k < n; k += 16) {
    unsigned sh;
    const __m128i v = LoadWindow(p, base + k, n, &sh);
    m |= static_cast<uint64_t>(SpecialMask16(v) >> sh) << k;
  }
  return m;
}

// First index >= i that is not a request-target byte (0x21..0x7e), or n.
inline size_t UrlEnd(const char* p, size_t i, size_t n) {
  const __m128i k21 = _mm_set1_epi8(0x21);
  const __m128i kDel = _mm_set1_epi8(0x7f);
  for (;;) {
    if (i >= n) return n;
    unsigned sh;
    const __m128i v = LoadWindow(p, i, n, &sh);
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, k21), _mm_cmpeq_epi8(v, kDel));
    uint32_t m = static_cast<uint32_t>(_mm_movemask_epi8(bad)) >> sh;
    if (m) return i + Ctz32(m);
    i += 16 - sh;
  }
}
#endif

// First index in [from, to) holding a special byte, or `to`.
inline size_t FindSpecial(const char* p, size_t from, size_t to, bool lenient, bool scalar) {
#ifdef UVHTTP_PARSER_SSE2
  if (!scalar) return SpecialSse2(p, from, to, lenient);
#endif
  (void)scalar;
  return SpecialScalar(p, from, to, lenient);
}

}  // namespace scan
}  // namespace uvhttp
