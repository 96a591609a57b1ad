// Fixture runner for the parser tests (llhttp fixture style): each case is raw input plus the
// expected events or the expected error. Every case is replayed whole, split in two at every
// byte offset, and one byte at a time, on both the SIMD and the scalar scan paths; all replays
// must produce identical events and the identical error.
import * as path from 'path';

/* eslint-disable @typescript-eslint/no-explicit-any */
// The addon as the package loads it: build/Release, or the prebuild (scripts/test-arm64.sh).
export const binding: any = require('../native/build-probe').loadProbe();

export type Kind = 'request' | 'response';
export type Action = 'continue' | 'skipBody' | 'pause' | 'pauseAfterMessage';

export interface Opts {
  maxHeaderSize?: number;
  maxChunkExtensionSize?: number;
  lenient?: boolean;
  lenientFieldValues?: boolean; // httpValidation 'relaxed' (Node 24.19)
  requireHost?: boolean;
  trailingHtabIsOws?: boolean; // llhttp 9.4's reading (Node 22+); default llhttp 9.3's
}

export interface ExpectedError {
  code: string;
  status?: number;
  offset?: number;
}

export interface Fixture {
  name: string;
  type?: Kind; // default 'request'
  input: string | Buffer; // strings are latin1
  opts?: Opts;
  action?: Action;
  // Expected events (each matched as a subset with toMatchObject); body data as latin1 string.
  events?: any[];
  error?: ExpectedError; // expected error; omitted = no error
  finish?: string | null; // expected finish() result, if finish() is to be called
  skipSplits?: boolean; // very large inputs: whole + a few splits only
}

export interface Outcome {
  events: any[];
  error: { code: string; status: number; offset: number } | null;
  finish?: string | null;
}

function norm(events: any[]): any[] {
  const out: any[] = [];
  for (const e of events) {
    if (e.type === 'body') {
      const d = e.data.toString('latin1');
      const last = out[out.length - 1];
      if (last && last.type === 'body') last.data += d;
      else out.push({ type: 'body', data: d });
    } else {
      out.push(e);
    }
  }
  return out;
}

export function runPieces(f: Fixture, pieces: Buffer[], scalar: boolean): Outcome {
  const p = new binding.ParserProbe(f.type ?? 'request', { ...(f.opts ?? {}), scalar });
  if (f.action) p.setHeadAction(f.action);
  const events: any[] = [];
  for (const piece of pieces) {
    // A paused parser consumes nothing: the fixtures that pause resume explicitly elsewhere.
    p.execute(piece);
    events.push(...p.takeEvents());
    if (p.error || p.paused) break;
  }
  const out: Outcome = { events: [], error: null };
  if (f.finish !== undefined) {
    out.finish = p.finish();
    events.push(...p.takeEvents());
  }
  out.events = norm(events);
  const err = p.error;
  out.error = err ? { code: err.code, status: err.status, offset: err.offset } : null;
  return out;
}

export function toBuf(input: string | Buffer): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
}

export function splits(buf: Buffer, all: boolean): Buffer[][] {
  const out: Buffer[][] = [[buf]];
  const offsets: number[] = [];
  if (all) {
    for (let k = 1; k < buf.length; k++) offsets.push(k);
  } else {
    for (const k of [1, 2, 3, buf.length >> 1, buf.length - 2, buf.length - 1]) {
      if (k > 0 && k < buf.length) offsets.push(k);
    }
  }
  for (const k of offsets) out.push([buf.subarray(0, k), buf.subarray(k)]);
  if (all || buf.length < 100000) {
    const bytes: Buffer[] = [];
    for (let k = 0; k < buf.length; k++) bytes.push(buf.subarray(k, k + 1));
    out.push(bytes);
  }
  return out;
}

// Runs the fixture every way and checks both consistency and the expectations.
export function check(f: Fixture): void {
  const buf = toBuf(f.input);
  const whole = runPieces(f, [buf], false);
  // Expectations against the whole-input run.
  if (f.error) {
    expect(whole.error).not.toBeNull();
    expect(whole.error!.code).toBe(f.error.code);
    if (f.error.status !== undefined) expect(whole.error!.status).toBe(f.error.status);
    if (f.error.offset !== undefined) expect(whole.error!.offset).toBe(f.error.offset);
  } else {
    expect(whole.error).toBeNull();
  }
  if (f.events) expect(whole.events).toMatchObject(f.events);
  if (f.finish !== undefined) expect(whole.finish).toBe(f.finish);
  // Consistency: every split, both scan paths.
  for (const scalar of [false, true]) {
    for (const pieces of splits(buf, !f.skipSplits)) {
      const o = runPieces(f, pieces, scalar);
      if (JSON.stringify(o) !== JSON.stringify(whole)) {
        // Report the first divergent split in a readable way.
        expect({ scalar, pieces: pieces.map((b) => b.length), outcome: o }).toEqual({
          scalar,
          pieces: pieces.map((b) => b.length),
          outcome: whole,
        });
      }
    }
  }
}

export function suite(title: string, fixtures: Fixture[]): void {
  // PARSER_DUMP_DIR=dir: also write each fixture (input + options) for native sanitizer runs.
  const dump = process.env.PARSER_DUMP_DIR;
  if (dump) {
    const fs = require('fs');
    fixtures.forEach((f, i) => {
      const o = f.opts ?? {};
      const cfg = [f.type === 'response' ? 1 : 0, o.lenient ? 1 : 0, o.maxHeaderSize ?? 0, o.maxChunkExtensionSize ?? -1,
        o.requireHost === false ? 0 : 1, f.action ?? 'continue', o.lenientFieldValues ? 1 : 0].join(' ');
      fs.writeFileSync(path.join(dump, `${title.replace(/\W+/g, '_')}_${i}.cfg`), cfg);
      fs.writeFileSync(path.join(dump, `${title.replace(/\W+/g, '_')}_${i}.bin`), toBuf(f.input));
    });
  }
  describe(title, () => {
    for (const f of fixtures) {
      test(f.name, () => check(f));
    }
  });
}

// Shorthands.
export const head = (o: any = {}) => ({ type: 'head', ...o });
export const body = (data: string) => ({ type: 'body', data });
export const done = (trailers: string[] = []) => ({ type: 'complete', trailers });
