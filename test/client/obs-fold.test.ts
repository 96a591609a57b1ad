// obs-fold continuation lines (RFC 9112 §5.2) in responses from a raw net server, node:http's
// request() against uvhttp's: with insecureHTTPParser the response shows the values Node's joins
// (headers, rawHeaders, trailers, framing); without it the request fails as Node's does. The
// traces (events in order, errors with code, message, reason, bytesParsed, rawPacket) must be
// equal (test/helpers/client-harness).
import { answers, differential, events, nodeClient, runClientScenario, uvClient } from '../helpers/client-harness';

jest.setTimeout(20_000);

async function oneResponse(response: string, options: Record<string, unknown> = {}): Promise<unknown[]> {
  return differential(async (run) => {
    const server = await run.rawServer('srv', answers(response));
    await run.request(server, 'a', options).done;
  });
}

const insecure = { insecureHTTPParser: true };
const OK = 'HTTP/1.1 200 OK\r\n';

// [name, response, what Node does: 'reads' it or 'fails']
const lenientCases: Array<[string, string, 'reads' | 'fails']> = [
  ['a continuation keeps its whitespace', `${OK}X: 1\r\n  2\r\nContent-Length: 2\r\n\r\nok`, 'reads'],
  ['several continuations, SP and HTAB', `${OK}X: 1\r\n 2\r\n\t3\r\nContent-Length: 2\r\n\r\nok`, 'reads'],
  ['an empty value continued', `${OK}X:\r\n 2\r\nContent-Length: 2\r\n\r\nok`, 'reads'],
  ['a whitespace-only continuation', `${OK}X: 1\r\n \r\nContent-Length: 2\r\n\r\nok`, 'reads'],
  ['a bare-LF fold', `${OK}X: 1\n 2\r\nContent-Length: 2\r\n\r\nok`, 'reads'],
  ['a folded Set-Cookie', `${OK}Set-Cookie: a=1;\r\n Path=/\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok`, 'reads'],
  ['Content-Length on the continuation of an empty value', `${OK}Content-Length:\r\n 2\r\n\r\nok`, 'reads'],
  ['Content-Length continued: a second Content-Length', `${OK}Content-Length: 2\r\n 0\r\n\r\nok`, 'fails'],
  ['Content-Length with a whitespace-only continuation', `${OK}Content-Length: 2\r\n \r\n\r\nok`, 'fails'],
  ['Transfer-Encoding on the continuation of an empty value', `${OK}Transfer-Encoding:\r\n chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n`, 'reads'],
  ['Connection close on the continuation', `${OK}Connection: x,\r\n close\r\nContent-Length: 2\r\n\r\nok`, 'reads'],
  ['folded trailers', `${OK}Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nT: 1\r\n 2\r\nU:\r\n\t3\r\n\r\n`, 'reads'],
  ['a continuation as the first trailer line', `${OK}Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n 2\r\n\r\n`, 'fails'],
];

describe('insecureHTTPParser: true', () => {
  test.each(lenientCases)('%s', async (_name, response, node) => {
    const trace = await oneResponse(response, insecure);
    if (node === 'reads') expect(events(trace, 'res end')).toHaveLength(1);
    else expect(events(trace, 'error')).toHaveLength(1);
  });

  test('two folded responses on one kept-alive connection', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.socket.write(`${OK}X: 1\r\n 2\r\nContent-Length: 1\r\n\r\na`);
        await conn.request();
        conn.socket.write(`${OK}Y:\r\n\t3\r\nContent-Length: 1\r\n\r\nb`);
      });
      const agent = run.agent({ keepAlive: true, maxSockets: 1 });
      await run.request(server, 'a', { ...insecure, agent }).done;
      await run.request(server, 'b', { ...insecure, agent }).done;
    });
    expect(events(trace, 'res end')).toHaveLength(2);
  });
});

describe('without insecureHTTPParser: the request fails as Node fails it', () => {
  test.each([
    ['a continuation', `${OK}X: 1\r\n  2\r\nContent-Length: 2\r\n\r\nok`, {}],
    ['an HTAB continuation', `${OK}X: 1\r\n\t2\r\nContent-Length: 2\r\n\r\nok`, {}],
    ['an empty value continued', `${OK}X:\r\n 2\r\nContent-Length: 2\r\n\r\nok`, {}],
    ['folded trailers', `${OK}Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nT: 1\r\n 2\r\n\r\n`, {}],
    ['a continuation right after the status line', `${OK} 2\r\nContent-Length: 2\r\n\r\nok`, {}],
    ['insecureHTTPParser: false', `${OK}X: 1\r\n 2\r\nContent-Length: 2\r\n\r\nok`, { insecureHTTPParser: false }],
  ])('%s', async (_name, response, options) => {
    const trace = await oneResponse(response, options);
    expect(events(trace, 'error')).toHaveLength(1);
  });
});

// README "uvhttp's own choices": lenient llhttp skips one SP that opens the line after the
// status line and reads a field there; uvhttp's request fails (RFC 9112 §2.2 lets a recipient
// reject whitespace before the first field line).
test('a field line opened by a space right after the status line: node reads it, uvhttp rejects', async () => {
  const scenario = async (run: Parameters<Parameters<typeof differential>[0]>[0]) => {
    const server = await run.rawServer('srv', answers(`${OK} X: 1\r\nContent-Length: 2\r\n\r\nok`));
    await run.request(server, 'a', insecure).done;
  };
  const node = await runClientScenario(nodeClient, scenario);
  const ours = await runClientScenario(uvClient, scenario);
  expect(events(node, 'response').map((e) => e[6])).toEqual([['X', '1', 'Content-Length', '2']]);
  expect(events(ours, 'response')).toEqual([]);
  expect((events(ours, 'error')[0][2] as { code: string }).code).toBe('HPE_INVALID_HEADER_TOKEN');
});

// README "uvhttp's own choices": Node forgets a `chunked` before the fold and reads the body
// until the connection closes (the chunked framing is body); uvhttp's request fails with
// HPE_INVALID_TRANSFER_ENCODING. Each side is asserted on its own.
test.each([
  ['gzip, then chunked on the continuation', 'Transfer-Encoding: gzip,\r\n chunked\r\n'],
  ['chunked, then a whitespace-only continuation', 'Transfer-Encoding: chunked\r\n \r\n'],
])('a continued Transfer-Encoding (%s): node reads until close, uvhttp rejects', async (_name, field) => {
  const scenario = async (run: Parameters<Parameters<typeof differential>[0]>[0]) => {
    const server = await run.rawServer('srv', async (conn) => {
      await conn.request();
      conn.socket.end(`${OK}${field}\r\n2\r\nok\r\n0\r\n\r\n`);
    });
    await run.request(server, 'a', insecure).done;
  };
  const node = await runClientScenario(nodeClient, scenario);
  const ours = await runClientScenario(uvClient, scenario);
  expect(events(node, 'res end').map((e) => e[2])).toEqual(['2\r\nok\r\n0\r\n\r\n']);
  expect(events(ours, 'response')).toEqual([]);
  expect((events(ours, 'error')[0][2] as { code: string }).code).toBe('HPE_INVALID_TRANSFER_ENCODING');
});
