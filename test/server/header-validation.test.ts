// Header names, values and reason phrases are checked as node:http checks them: the same input
// is valid or fails with the same error code on both.
import * as nodeHttp from 'node:http';
import * as uvhttp from '../../lib';

function outcome(check: () => void): string {
  try {
    check();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

// Every character from NUL to past the latin1 range, alone and inside a value.
const characters = Array.from({ length: 0x180 }, (_, code) => String.fromCharCode(code));

describe('validateHeaderValue', () => {
  test('each character alone and inside a value', () => {
    for (const c of characters) {
      for (const value of [c, `a${c}b`, `${'x'.repeat(40)}${c}`]) {
        expect([value, outcome(() => uvhttp.validateHeaderValue('x-test', value))]).toEqual([
          value,
          outcome(() => nodeHttp.validateHeaderValue('x-test', value)),
        ]);
      }
    }
  });

  test('non-string values', () => {
    for (const value of [undefined, 0, 42, true, ['a', 'b'], ['a\r\n']] as unknown as string[]) {
      expect(outcome(() => uvhttp.validateHeaderValue('x-test', value))).toBe(
        outcome(() => nodeHttp.validateHeaderValue('x-test', value)),
      );
    }
  });
});

describe('validateHeaderName', () => {
  test('each character in a name', () => {
    for (const c of characters) {
      expect([c, outcome(() => uvhttp.validateHeaderName(`x${c}`))]).toEqual([
        c,
        outcome(() => nodeHttp.validateHeaderName(`x${c}`)),
      ]);
    }
  });
});

describe('ServerResponse', () => {
  function attempt(http: typeof nodeHttp, act: (res: nodeHttp.ServerResponse) => void): string {
    const req = new http.IncomingMessage(null as never);
    req.method = 'GET';
    const res = new http.ServerResponse(req);
    return outcome(() => act(res));
  }

  const cases: Array<[string, (res: nodeHttp.ServerResponse) => void]> = [
    ['standard reason', (res) => res.writeHead(200)],
    ['custom reason', (res) => res.writeHead(200, 'Fine \x80\xff')],
    ['reason with CR', (res) => res.writeHead(200, 'Fine\r')],
    ['reason with DEL', (res) => res.writeHead(200, 'Fine\x7f')],
    ['reason past latin1', (res) => res.writeHead(200, 'Fine\u0100')],
    ['value with LF', (res) => res.setHeader('X-A', 'a\nb')],
    ['value with tab', (res) => res.setHeader('X-A', 'a\tb')],
    ['writeHead value with NUL', (res) => res.writeHead(200, { 'X-A': 'a\0' })],
    ['writeHead array value with CR', (res) => res.writeHead(200, ['X-A', 'a\r'])],
  ];
  test.each(cases)('%s', (_name, act) => {
    expect(attempt(uvhttp as unknown as typeof nodeHttp, act)).toBe(attempt(nodeHttp, act));
  });
});
