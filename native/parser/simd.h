// The 16-byte vector operations the parser's scans (scan.h) are written in, for SSE2 (part of
// the x86-64 baseline) and NEON (part of the AArch64 baseline), so that one scan compiles to
// either. A mask has SSE2's movemask layout: bit j is byte j. On other machines, or when
// UVHTTP_PARSER_SCALAR is defined, UVHTTP_PARSER_SIMD is not defined and the portable scanner
// is the only one.
#pragma once

#include <cstdint>

#if !defined(UVHTTP_PARSER_SCALAR) && (defined(__x86_64__) || defined(_M_X64))
#define UVHTTP_PARSER_SIMD 1
#define UVHTTP_PARSER_SSE2 1
#include <emmintrin.h>
#elif !defined(UVHTTP_PARSER_SCALAR) && (defined(__aarch64__) || defined(_M_ARM64))
#define UVHTTP_PARSER_SIMD 1
#define UVHTTP_PARSER_NEON 1
#include <arm_neon.h>
#endif

#ifdef UVHTTP_PARSER_SIMD
namespace uvhttp {
namespace simd {

#ifdef UVHTTP_PARSER_SSE2
using V = __m128i;

inline V Load(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline V Splat(uint8_t c) { return _mm_set1_epi8(static_cast<char>(c)); }
inline V Or(V a, V b) { return _mm_or_si128(a, b); }
// a & ~b
inline V AndNot(V a, V b) { return _mm_andnot_si128(b, a); }
inline V Eq(V v, uint8_t c) { return _mm_cmpeq_epi8(v, Splat(c)); }
// Unsigned v <= c: SSE2 has no unsigned compare, but min(v, c) == v is one.
inline V AtMost(V v, uint8_t c) { return _mm_cmpeq_epi8(_mm_min_epu8(v, Splat(c)), v); }
// Unsigned lo <= v <= hi (hi - lo < 128): a bias moves lo to -128, then one signed compare.
inline V InRange(V v, uint8_t lo, uint8_t hi) {
  const V biased = _mm_add_epi8(v, Splat(static_cast<uint8_t>(0x80 - lo)));
  return _mm_cmplt_epi8(biased, Splat(static_cast<uint8_t>(0x80 + (hi - lo + 1))));
}
inline uint32_t Mask(V v) { return static_cast<uint32_t>(_mm_movemask_epi8(v)); }
inline bool Any(V v) { return Mask(v) != 0; }
// The masks of 64 consecutive bytes, a at the lowest.
inline uint64_t Mask64(V a, V b, V c, V d) {
  return static_cast<uint64_t>(Mask(a)) | static_cast<uint64_t>(Mask(b)) << 16 |
         static_cast<uint64_t>(Mask(c)) << 32 | static_cast<uint64_t>(Mask(d)) << 48;
}
#endif

#ifdef UVHTTP_PARSER_NEON
using V = uint8x16_t;

inline V Load(const char* p) { return vld1q_u8(reinterpret_cast<const uint8_t*>(p)); }
inline V Splat(uint8_t c) { return vdupq_n_u8(c); }
inline V Or(V a, V b) { return vorrq_u8(a, b); }
inline V AndNot(V a, V b) { return vbicq_u8(a, b); }
inline V Eq(V v, uint8_t c) { return vceqq_u8(v, Splat(c)); }
inline V AtMost(V v, uint8_t c) { return vcleq_u8(v, Splat(c)); }
// Bytes below lo wrap around to large values: one unsigned compare.
inline V InRange(V v, uint8_t lo, uint8_t hi) {
  return vcleq_u8(vsubq_u8(v, Splat(lo)), Splat(static_cast<uint8_t>(hi - lo)));
}
// NEON has no movemask: keep one weight bit per lane (the lanes are 0x00 or 0xff) and add up
// each half across its lanes.
inline uint32_t Mask(V v) {
  static const uint8_t kWeights[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  const V bits = vandq_u8(v, vld1q_u8(kWeights));
  return static_cast<uint32_t>(vaddv_u8(vget_low_u8(bits))) |
         static_cast<uint32_t>(vaddv_u8(vget_high_u8(bits))) << 8;
}
// Cheaper than Mask when only "is any lane set" matters: the largest lane.
inline bool Any(V v) { return vmaxvq_u8(v) != 0; }
// Four masks at once: weight bits, then three rounds of pairwise adds fold 64 lanes into the
// 8 bytes of one 64-bit mask.
inline uint64_t Mask64(V a, V b, V c, V d) {
  static const uint8_t kWeights[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  const V w = vld1q_u8(kWeights);
  const V ab = vpaddq_u8(vandq_u8(a, w), vandq_u8(b, w));
  const V cd = vpaddq_u8(vandq_u8(c, w), vandq_u8(d, w));
  const V abcd = vpaddq_u8(ab, cd);
  return vgetq_lane_u64(vreinterpretq_u64_u8(vpaddq_u8(abcd, abcd)), 0);
}
#endif

}  // namespace simd
}  // namespace uvhttp
#endif
