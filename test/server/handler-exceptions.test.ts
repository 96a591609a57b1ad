// A handler that throws while an 'uncaughtException' listener keeps the process alive (issue 7
// item 10). Node's parser stops at a callback that threw: nothing more is parsed on that
// connection, the error reaches 'clientError' (HPE_CB_HEADERS_COMPLETE from a 'request'
// handler, HPE_JS_EXCEPTION from a body handler) and the connection is destroyed. Exceptions
// thrown later (a tick, an 'end' listener) do not touch the parser. Compared with node:http.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { impls, type Impl } from '../helpers/impls';

jest.setTimeout(30000);

const APP = path.join(__dirname, '..', 'fixtures', 'apps', 'throwing-handler.js');
const ROOT = path.resolve(__dirname, '..', '..');

interface Outcome {
  handled: string[];
  uncaught: string[];
  clientError: { code: string; reason: string; bytesParsed: number; rawPacket: string } | null;
  received: string;
  closed: boolean;
}

/**
 * Sends `first`, waits, sends `second` (Node reports the error when the next bytes arrive), and
 * records what the server did. The server runs in a process of its own: the exception must reach
 * that process's 'uncaughtException' listener, not the test runner's.
 */
function run(impl: Impl, mode: string, first: string, second: string, gapMs = 200): Promise<Outcome> {
  const spec = impl.name === 'node' ? 'node:http' : ROOT;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [APP, spec, JSON.stringify({ mode, first, second, gapMs })], { timeout: 15000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as Outcome);
    });
  });
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
const POST = (path: string, body: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('a throwing handler, node:http vs uvhttp', () => {
  const cases: Array<[string, string, string, string]> = [
    ['request handler, bodiless request', 'request', GET('/throw'), GET('/next')],
    ['request handler, request with a body', 'request', POST('/throw', 'abcd'), GET('/next')],
    ['data handler', 'data', POST('/throw', 'abcd'), GET('/next')],
    ['a tick after the handler', 'tick', GET('/throw'), GET('/next')],
    ['an end handler', 'end', POST('/throw', 'abcd'), GET('/next')],
  ];
  test.each(cases)('%s', async (_label, mode, first, second) => {
    const outcomes: Outcome[] = [];
    for (const impl of impls) outcomes.push(await run(impl, mode, first, second));
    const [oracle] = outcomes;
    // The scenario itself: the handler threw once and the process lived on; the parser stopped
    // unless the exception came after the handler returned.
    expect(oracle.uncaught).toHaveLength(1);
    expect(oracle.handled.includes('GET /next')).toBe(mode === 'tick' || mode === 'end');
    for (const outcome of outcomes) expect(outcome).toEqual(oracle);
  });
});

describe.each(impls.map((i) => [i.name, i] as const))('a throwing handler with pipelined requests behind it: %s', (name, impl) => {
  test('the requests behind it do not run and the connection does not answer them', async () => {
    const outcome = await run(impl, 'request', GET('/a') + GET('/throw') + GET('/b'), '', 0);
    expect(outcome.handled).toEqual(['GET /a', 'GET /throw']);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*answer to \/a$/);
    if (name === 'uvhttp') {
      // Node drops the rest of the read and waits (until requestTimeout) for more bytes to
      // report the error with; uvhttp reports it with those bytes at once and closes.
      expect(outcome.clientError).toEqual({
        code: 'HPE_CB_HEADERS_COMPLETE',
        reason: 'User callback error',
        bytesParsed: GET('/a').length + GET('/throw').length,
        rawPacket: GET('/b'),
      });
      expect(outcome.closed).toBe(true);
    }
  });
});
