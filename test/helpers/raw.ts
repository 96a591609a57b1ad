// Raw-socket client for tests: send literal bytes, collect the literal response bytes, and find
// where each response ends with a small strict HTTP/1.x response reader.
import * as net from 'node:net';

export interface RawHeader {
  name: string; // as on the wire
  value: string; // as on the wire, OWS trimmed
}

export interface ParsedResponse {
  /** Offset of the first byte of this response in the collected stream. */
  start: number;
  /** Offset just past the head (after the empty line). */
  headEnd: number;
  /** Offset just past the whole response (body and framing included). */
  end: number;
  statusLine: string;
  httpVersion: string;
  statusCode: number;
  statusMessage: string;
  headers: RawHeader[];
  /** How the body was framed. */
  framing: 'none' | 'content-length' | 'chunked' | 'close';
  /** The decoded body (chunk framing removed). */
  body: Buffer;
  /** Chunk sizes in order (chunked only), the terminating 0 included. */
  chunks: number[];
  /** Trailer fields (chunked only). */
  trailers: RawHeader[];
  /** The raw bytes of the whole response. */
  raw: Buffer;
}

export class ResponseSyntaxError extends Error {}

export interface ReadOptions {
  /** For each response in order: the request method (HEAD responses have no body). */
  methods?: string[];
  /** True when the peer has closed: a close-delimited body may then be complete. */
  eof?: boolean;
}

function getHeader(headers: RawHeader[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter((h) => h.name.toLowerCase() === lower).map((h) => h.value);
}

/** Values of a header field in a parsed response (all occurrences, case-insensitive name). */
export function headerValues(res: ParsedResponse, name: string): string[] {
  return getHeader(res.headers, name);
}

function indexOfCrlf(buf: Buffer, from: number): number {
  return buf.indexOf('\r\n', from, 'latin1');
}

/**
 * Parses as many complete responses as `buf` holds. Strict: CRLF line endings, a well-formed
 * status line, `name: value` fields, well-formed chunked framing; throws ResponseSyntaxError on
 * anything else. An incomplete trailing response is not returned (see `rest`).
 */
export function readResponses(
  buf: Buffer,
  opts: ReadOptions = {},
): { responses: ParsedResponse[]; rest: number; incomplete: boolean } {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  let finalIndex = 0; // index into methods: 1xx responses do not consume a request
  while (pos < buf.length) {
    const start = pos;
    const headEndIdx = buf.indexOf('\r\n\r\n', pos, 'latin1');
    if (headEndIdx < 0) {
      if (buf.indexOf('\n\n', pos, 'latin1') >= 0 && buf.indexOf('\r\n\r\n', pos) < 0) {
        // bare LF heads are not HTTP/1.1 from a conforming server
        const lfOnly = buf.subarray(pos).toString('latin1');
        if (/^HTTP\/1\.[01] \d{3}[^\r]*\n/.test(lfOnly)) {
          throw new ResponseSyntaxError(`bare LF in response head at ${pos}`);
        }
      }
      return { responses, rest: pos, incomplete: true };
    }
    const head = buf.subarray(pos, headEndIdx).toString('latin1');
    const lines = head.split('\r\n');
    const statusLine = lines[0];
    const m = /^HTTP\/(1\.[01]) (\d{3}) ([^\r\n]*)$/.exec(statusLine);
    if (!m) throw new ResponseSyntaxError(`bad status line ${JSON.stringify(statusLine)} at ${pos}`);
    const statusCode = Number(m[2]);
    const headers: RawHeader[] = [];
    for (const line of lines.slice(1)) {
      const hm = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/.exec(line);
      if (!hm || /[\r\n]/.test(line)) {
        throw new ResponseSyntaxError(`bad header line ${JSON.stringify(line)} at ${pos}`);
      }
      headers.push({ name: hm[1], value: hm[2] });
    }
    const headEnd = headEndIdx + 4;
    pos = headEnd;
    const method = (opts.methods?.[finalIndex] ?? 'GET').toUpperCase();
    const informational = statusCode >= 100 && statusCode < 200;
    const noBody = informational || statusCode === 204 || statusCode === 304 || method === 'HEAD';
    const te = getHeader(headers, 'transfer-encoding');
    const cl = getHeader(headers, 'content-length');
    let framing: ParsedResponse['framing'];
    let body: Buffer = Buffer.alloc(0);
    const chunks: number[] = [];
    const trailers: RawHeader[] = [];
    if (noBody) {
      framing = 'none';
    } else if (te.length > 0) {
      const codings = te.join(',').split(',').map((s) => s.trim().toLowerCase());
      if (codings[codings.length - 1] !== 'chunked') {
        framing = 'close';
      } else {
        framing = 'chunked';
      }
    } else if (cl.length > 0) {
      if (new Set(cl).size !== 1 || !/^\d+$/.test(cl[0])) {
        throw new ResponseSyntaxError(`bad Content-Length ${JSON.stringify(cl)}`);
      }
      framing = 'content-length';
    } else {
      framing = 'close';
    }

    if (framing === 'content-length') {
      const n = Number(cl[0]);
      if (buf.length - pos < n) return { responses, rest: start, incomplete: true };
      body = buf.subarray(pos, pos + n);
      pos += n;
    } else if (framing === 'chunked') {
      const parts: Buffer[] = [];
      let done = false;
      while (!done) {
        const lineEnd = indexOfCrlf(buf, pos);
        if (lineEnd < 0) return { responses, rest: start, incomplete: true };
        const sizeLine = buf.subarray(pos, lineEnd).toString('latin1');
        const sm = /^([0-9A-Fa-f]+)(;.*)?$/.exec(sizeLine);
        if (!sm) throw new ResponseSyntaxError(`bad chunk size line ${JSON.stringify(sizeLine)}`);
        const size = parseInt(sm[1], 16);
        pos = lineEnd + 2;
        chunks.push(size);
        if (size === 0) {
          // trailers, then CRLF
          for (;;) {
            const tEnd = indexOfCrlf(buf, pos);
            if (tEnd < 0) return { responses, rest: start, incomplete: true };
            const tline = buf.subarray(pos, tEnd).toString('latin1');
            pos = tEnd + 2;
            if (tline === '') break;
            const tm = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/.exec(tline);
            if (!tm) throw new ResponseSyntaxError(`bad trailer line ${JSON.stringify(tline)}`);
            trailers.push({ name: tm[1], value: tm[2] });
          }
          done = true;
        } else {
          if (buf.length - pos < size + 2) return { responses, rest: start, incomplete: true };
          parts.push(buf.subarray(pos, pos + size));
          if (buf[pos + size] !== 0x0d || buf[pos + size + 1] !== 0x0a) {
            throw new ResponseSyntaxError(`chunk data not followed by CRLF at ${pos + size}`);
          }
          pos += size + 2;
        }
      }
      body = Buffer.concat(parts);
    } else if (framing === 'close') {
      if (!opts.eof) return { responses, rest: start, incomplete: true };
      body = buf.subarray(pos);
      pos = buf.length;
    }
    if (!informational) finalIndex++;
    responses.push({
      start,
      headEnd,
      end: pos,
      statusLine,
      httpVersion: m[1],
      statusCode,
      statusMessage: m[3],
      headers,
      framing,
      body: Buffer.from(body),
      chunks,
      trailers,
      raw: Buffer.from(buf.subarray(start, pos)),
    });
  }
  return { responses, rest: pos, incomplete: false };
}

export const DATE_MASK = '<DATE>';

/** Replaces the value of every `Date` field in a response head with DATE_MASK, in place. */
export function maskDateInHead(head: string): string {
  return head.replace(/(^|\r\n)(date:[ \t]*)[^\r\n]*/gi, `$1$2${DATE_MASK}`);
}

/**
 * The collected bytes as a latin1 string with each response head's Date value masked (its
 * position kept). Bytes that do not parse as responses are left as they are.
 */
export function maskDate(raw: Buffer, methods?: string[]): string {
  let parsed: ParsedResponse[];
  try {
    parsed = readResponses(raw, { methods, eof: true }).responses;
  } catch {
    parsed = [];
  }
  let out = '';
  let pos = 0;
  for (const r of parsed) {
    out += raw.subarray(pos, r.start).toString('latin1');
    out += maskDateInHead(raw.subarray(r.start, r.headEnd).toString('latin1'));
    pos = r.headEnd;
    out += raw.subarray(pos, r.end).toString('latin1');
    pos = r.end;
  }
  const rest = raw.subarray(pos).toString('latin1');
  // an unparsed tail (a partial or malformed response) may still hold a head: mask it too
  const headEnd = rest.indexOf('\r\n\r\n');
  out += headEnd >= 0 ? maskDateInHead(rest.slice(0, headEnd)) + rest.slice(headEnd) : maskDateInHead(rest);
  return out;
}

export type SendStep = string | Buffer | { delay: number } | { end: true };

export interface ExchangeOptions {
  port: number;
  host?: string;
  /** Bytes to write, in order; `{delay}` waits, `{end: true}` half-closes our side. */
  send: SendStep | SendStep[];
  /** Stop once this many final (non-1xx) responses have been read. */
  responses?: number;
  /** Methods of the requests in order (HEAD responses carry no body). */
  methods?: string[];
  /** Upper bound on the whole exchange. */
  timeoutMs?: number;
  /** After `responses` were read: how long to watch for the server closing the connection. */
  graceMs?: number;
  /** Called once connected, before anything is written, with our local port. */
  onConnect?: (localPort: number) => void;
}

export interface ExchangeResult {
  raw: Buffer;
  responses: ParsedResponse[];
  /** The server ended or closed the connection (within graceMs of the last response). */
  closed: boolean;
  /** The server reset the connection (ECONNRESET / EPIPE). */
  reset: boolean;
  /** The overall timeout fired before the exchange finished. */
  timedOut: boolean;
  /** The reader found something it cannot parse as HTTP/1.x responses. */
  syntaxError?: string;
  /** Date values masked, as a latin1 string. */
  masked: string;
}

/**
 * Connects, writes the steps, and collects every byte until the server closes, or until
 * `responses` final responses are complete (then waits graceMs to see whether it closes), or the
 * timeout. Never throws for network conditions: they are reported in the result. The socket is
 * always destroyed before the promise resolves.
 */
export function exchange(opts: ExchangeOptions): Promise<ExchangeResult> {
  const steps = Array.isArray(opts.send) ? opts.send : [opts.send];
  const timeoutMs = opts.timeoutMs ?? 3000;
  const graceMs = opts.graceMs ?? 150;
  return new Promise((resolve) => {
    const socket = net.connect({ port: opts.port, host: opts.host ?? '127.0.0.1' });
    socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    let closed = false;
    let reset = false;
    let timedOut = false;
    let finished = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let syntaxError: string | undefined;
    let parsed: ParsedResponse[] = [];

    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(overall);
      if (graceTimer) clearTimeout(graceTimer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      try {
        const r = readResponses(raw, { methods: opts.methods, eof: closed || reset });
        parsed = r.responses;
      } catch (e) {
        syntaxError = (e as Error).message;
      }
      resolve({
        raw,
        responses: parsed,
        closed,
        reset,
        timedOut,
        syntaxError,
        masked: maskDate(raw, opts.methods),
      });
    };

    const overall = setTimeout(() => {
      timedOut = true;
      finish();
    }, timeoutMs);

    const countFinal = (): number => {
      try {
        const r = readResponses(Buffer.concat(chunks), { methods: opts.methods, eof: false });
        return r.responses.filter((x) => x.statusCode >= 200).length;
      } catch (e) {
        syntaxError = (e as Error).message;
        return -1;
      }
    };

    socket.on('data', (d) => {
      chunks.push(d);
      if (opts.responses !== undefined && !graceTimer) {
        const n = countFinal();
        if (n < 0) {
          finish();
        } else if (n >= opts.responses) {
          graceTimer = setTimeout(finish, graceMs);
        }
      }
    });
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        reset = true;
        closed = true;
      }
      finish();
    });

    socket.on('connect', async () => {
      opts.onConnect?.(socket.localPort!);
      for (const step of steps) {
        if (finished) return;
        if (typeof step === 'string' || Buffer.isBuffer(step)) {
          socket.write(typeof step === 'string' ? Buffer.from(step, 'latin1') : step);
        } else if ('delay' in step) {
          await new Promise((r) => setTimeout(r, step.delay));
        } else if ('end' in step) {
          socket.end();
        }
      }
    });
  });
}

/** Opens a raw connection and resolves once connected (for idle/trickle clients). */
export function connectRaw(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the socket is ended/closed by the peer, or after ms (false). */
export function waitClosed(socket: net.Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(true);
    const t = setTimeout(() => done(false), ms);
    const done = (v: boolean) => {
      clearTimeout(t);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      resolve(v);
    };
    const onEnd = () => done(true);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', () => undefined);
    socket.resume();
  });
}
