// The vector scans (SSE2 on x86-64, NEON on AArch64: native/parser/simd.h) against the portable
// scalar scanner, lane by lane: every byte value at every position of the first 70 bytes of a
// request-target, a field name, a field value and a Host value (so every bit of the 16-byte
// masks, both halves of a NEON mask, and the fold of four masks into a 64-bit one are hit).
// Each input is parsed whole (the whole-head fast path) and split just before the byte (the
// line-by-line path); both scan paths must agree with each other and with the byte classes of
// RFC 9110 / RFC 9112 as docs/PARSER.md states them.
import { binding } from './harness';

const POSITIONS = 70;
const probes = { vector: new binding.ParserProbe('request', {}), scalar: new binding.ParserProbe('request', { scalar: true }) };

interface Result {
  error: string | null;
  fields: number;
}

function parse(which: 'vector' | 'scalar', input: Buffer, split: number): Result {
  const p = probes[which];
  p.reset();
  p.execute(input.subarray(0, split));
  if (!p.error) p.execute(input.subarray(split));
  const events = p.takeEvents();
  const h = events.find((e: { type: string }) => e.type === 'head');
  return { error: p.error ? `${p.error.code}@${p.error.offset}` : null, fields: h ? h.headers.length / 2 : -1 };
}

const isTchar = (b: number) => /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(String.fromCharCode(b));
const isVcharObs = (b: number) => (b >= 0x21 && b <= 0x7e) || b >= 0x80;

// [where, build(pad, byte) -> head, whether the byte is accepted there]
const places: Array<[string, (pad: string, b: string) => string, (b: number) => boolean]> = [
  ['request-target', (pad, b) => `GET /${pad}${b}x HTTP/1.1\r\nHost: h\r\n\r\n`, (b) => b >= 0x21 && b <= 0x7e],
  // ':' ends the name early: "X…" with the value "x: v".
  ['field name', (pad, b) => `GET / HTTP/1.1\r\nHost: h\r\nX${pad}${b}x: v\r\n\r\n`, (b) => isTchar(b) || b === 0x3a],
  // SP and HTAB are OWS inside a value; the bytes after them keep it non-empty.
  ['field value', (pad, b) => `GET / HTTP/1.1\r\nHost: h\r\nX-V: v${pad}${b}x\r\n\r\n`, (b) => b === 0x09 || b === 0x20 || isVcharObs(b)],
  [
    'Host value',
    (pad, b) => `GET / HTTP/1.1\r\nHost: h${pad}${b}x\r\n\r\n`,
    // reg-name characters (unreserved / sub-delims) and pct-encoding's '%' before a hex digit
    // are not all tested here: only that both paths agree (the byte classes are in requests.test).
    () => true,
  ],
];

describe.each(places)('%s: every byte at every lane', (where, build, accepted) => {
  test('vector and scalar scans agree, whole and split before the byte', () => {
    const disagreements: string[] = [];
    const wrongClass: string[] = [];
    for (let pos = 0; pos < POSITIONS; pos++) {
      const pad = 'a'.repeat(pos);
      for (let b = 0; b < 256; b++) {
        const input = Buffer.from(build(pad, String.fromCharCode(b)), 'latin1');
        const at = input.indexOf(`${pad}${String.fromCharCode(b)}x`, 0, 'latin1') + pos;
        const whole = parse('vector', input, input.length);
        for (const [which, split] of [['scalar', input.length], ['vector', at], ['scalar', at]] as const) {
          const other = parse(which, input, split);
          if (JSON.stringify(other) !== JSON.stringify(whole)) {
            disagreements.push(`byte 0x${b.toString(16)} at ${pos}: vector whole ${JSON.stringify(whole)}, ${which} split at ${split} ${JSON.stringify(other)}`);
          }
        }
        if (where !== 'Host value' && (whole.error === null) !== accepted(b)) {
          wrongClass.push(`byte 0x${b.toString(16)} at ${pos}: ${whole.error ?? 'accepted'}`);
        }
      }
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    expect(wrongClass.slice(0, 10)).toEqual([]);
  });
});
