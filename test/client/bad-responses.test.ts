// The client against hostile servers, differentially: malformed, oversized, endless and
// ambiguous responses from a raw net server, with node:http's request() and with uvhttp's (see
// test/helpers/client-harness). The traces (events in order, errors with code, message, reason,
// bytesParsed and rawPacket) must be equal; nothing may hang (every scenario is bounded) or
// crash, and a server that never stops sending a head must not make the client buffer it.
import { answers, differential, events, logged, nodeClient, RawConn, runClientScenario, uvClient, WatchOptions } from '../helpers/client-harness';

jest.setTimeout(20_000);

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

// Writes `prefix`, then `line` over and over while the client reads, until the client closes or
// `limit` bytes went out. Resolves with whether the client closed first.
async function endless(conn: RawConn, prefix: string, line: string, limit = 8 * 1024 * 1024): Promise<boolean> {
  await conn.request();
  const socket = conn.socket;
  let sent = 0;
  socket.write(prefix);
  const block = Buffer.from(line.repeat(Math.max(1, Math.floor(4096 / line.length))), 'latin1');
  while (sent < limit) {
    if (conn.ended || socket.destroyed) return true;
    sent += block.length;
    if (!socket.write(block)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
  return conn.ended || socket.destroyed;
}

// One response, one error: the request's events and the error, compared between the two.
async function oneBadResponse(response: string, options: Record<string, unknown> = {}, watch: WatchOptions = {}): Promise<unknown[]> {
  return differential(async (run) => {
    const server = await run.rawServer('srv', answers(response));
    await run.request(server, 'a', options, watch).done;
  });
}

// Where uvhttp's parser is stricter than llhttp by design (docs/PARSER.md, "Differences from
// llhttp"): node's client reads the response, uvhttp's rejects it with `code`. Each side is
// asserted on its own.
async function stricterByDesign(response: string, code: string): Promise<void> {
  const scenario = async (run: Parameters<Parameters<typeof differential>[0]>[0]) => {
    const server = await run.rawServer('srv', answers(response));
    await run.request(server, 'a').done;
  };
  const node = await runClientScenario(nodeClient, scenario);
  const ours = await runClientScenario(uvClient, scenario);
  expect(events(node, 'error')).toEqual([]);
  expect(events(node, 'res end')).toHaveLength(1);
  expect(events(ours, 'response')).toEqual([]);
  expect(errorOf(ours).code).toBe(code);
}

function errorOf(trace: unknown[]): Record<string, unknown> {
  const error = events(trace, 'error')[0];
  expect(error).toBeDefined();
  return error[2] as Record<string, unknown>;
}

describe('malformed status lines', () => {
  const cases: Array<[string, string, string]> = [
    ['a status code that is not a number', 'HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a two-digit status code', 'HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a four-digit status code', 'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a protocol that is not HTTP', 'HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['garbage instead of a response', 'hello there\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['an HTTP version with letters', 'HTTP/1.x 200 OK\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_VERSION'],
  ];
  for (const [name, response, code] of cases) {
    test(name, async () => {
      const trace = await oneBadResponse(response);
      if (code) expect(errorOf(trace).code).toBe(code);
      else expect(trace.length).toBeGreaterThan(1);
    });
  }

  test('a control character in the reason phrase: node reads it, uvhttp rejects it (stricter by design)', async () => {
    await stricterByDesign('HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_STATUS');
  });

  test('HTTP/2.0 in a status line: node reads it, uvhttp rejects it (stricter by design)', async () => {
    await stricterByDesign('HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok', 'HPE_INVALID_VERSION');
  });
});

describe('malformed header fields', () => {
  const cases: Array<[string, string]> = [
    ['a control character in a field value', 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n'],
    ['a NUL in a field value', 'HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n'],
    ['a space in a field name', 'HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n'],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nX-A : x\r\nContent-Length: 0\r\n\r\n'],
    ['a field without a colon', 'HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n'],
    ['a field name with a non-token character', 'HTTP/1.1 200 OK\r\nX(A): x\r\nContent-Length: 0\r\n\r\n'],
    ['a bare CR inside a field value', 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n'],
    ['an obs-fold continuation line', 'HTTP/1.1 200 OK\r\nX-A: a\r\n  folded\r\nContent-Length: 2\r\n\r\nok'],
    ['bare LF line endings', 'HTTP/1.1 200 OK\nX-A: a\nContent-Length: 2\n\nok'],
    ['a DEL in a field value', 'HTTP/1.1 200 OK\r\nX-A: a\x7fb\r\nContent-Length: 0\r\n\r\n'],
    ['obs-text in a field value', 'HTTP/1.1 200 OK\r\nX-A: caf\xe9\r\nContent-Length: 0\r\n\r\n'],
  ];
  for (const [name, response] of cases) {
    test(name, async () => {
      const trace = await oneBadResponse(response);
      expect(trace.length).toBeGreaterThan(1);
    });
  }

  test('insecureHTTPParser lets a control character in a value through', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 2\r\n\r\nok', { insecureHTTPParser: true });
    expect(events(trace, 'res end')[0][2]).toBe('ok');
  });
});

describe('oversized and endless heads', () => {
  const big = (size: number) => `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(size)}\r\nContent-Length: 2\r\n\r\nok`;

  test('a head over the default 16 KiB limit: HPE_HEADER_OVERFLOW', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(big(17 * 1024)));
      await run.request(server, 'a', {}, { briefErrors: true }).done;
    });
    expect(errorOf(trace).code).toBe('HPE_HEADER_OVERFLOW');
  });

  test('a head just under the default limit is read', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(big(16 * 1024 - 100)));
      await run.request(server, 'a').done;
    });
    expect(events(trace, 'res end')[0][2]).toBe('ok');
  });

  test('maxHeaderSize smaller than the default: a 2 KiB head overflows a 1 KiB limit', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(big(2048)));
      await run.request(server, 'a', { maxHeaderSize: 1024 }, { briefErrors: true }).done;
    });
    expect(errorOf(trace).code).toBe('HPE_HEADER_OVERFLOW');
  });

  test('maxHeaderSize larger than the default: a 40 KiB head is read with a 64 KiB limit', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(big(40 * 1024)));
      await run.request(server, 'a', { maxHeaderSize: 64 * 1024 }).done;
    });
    expect(events(trace, 'res end')[0][2]).toBe('ok');
  });

  test('many small header fields add up to an overflow (names and values are what counts)', async () => {
    const fields = Array.from({ length: 2000 }, (_, i) => `X-Field-${i}: value\r\n`).join('');
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(`HTTP/1.1 200 OK\r\n${fields}Content-Length: 2\r\n\r\nok`));
      await run.request(server, 'a', {}, { briefErrors: true }).done;
    });
    expect(errorOf(trace).code).toBe('HPE_HEADER_OVERFLOW');
  });

  test('more than 1000 short fields: what headers and rawHeaders keep by default', async () => {
    const fields = Array.from({ length: 1100 }, (_, i) => `X-F${i}: v\r\n`).join('');
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(`HTTP/1.1 200 OK\r\n${fields}Content-Length: 2\r\n\r\nok`));
      await run.request(server, 'a').done;
    });
    expect(Object.keys(events(trace, 'response')[0][5] as object)).toHaveLength(1000);
  });

  test('req.maxHeadersCount: what headers and rawHeaders keep', async () => {
    const fields = Array.from({ length: 100 }, (_, i) => `X-F${i}: v\r\n`).join('');
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(`HTTP/1.1 200 OK\r\n${fields}Content-Length: 2\r\n\r\nok`, `HTTP/1.1 200 OK\r\n${fields.slice(0, 200)}Content-Length: 2\r\n\r\nok`));
      const agent = run.agent({ keepAlive: true });
      for (const [tag, count] of [['ten', 10], ['few', 3]] as const) {
        const ex = run.request(server, tag, { agent }, { keepOpen: true });
        (ex.req as unknown as { maxHeadersCount: number }).maxHeadersCount = count;
        ex.req.end();
        await ex.done;
      }
    });
    expect(Object.keys(events(trace, 'response')[0][5] as object)).toHaveLength(10);
  });

  test('an endless head: the client gives up with HPE_HEADER_OVERFLOW and closes', async () => {
    const trace = await differential(async (run) => {
      let closedEarly: Promise<boolean> = Promise.resolve(false);
      const server = await run.rawServer('srv', (conn) => {
        closedEarly = endless(conn, 'HTTP/1.1 200 OK\r\n', 'X-More: yes-more-and-more\r\n');
      });
      await run.request(server, 'a', {}, { briefErrors: true }).done;
      run.log('client closed before the server stopped', await closedEarly);
    });
    expect(errorOf(trace).code).toBe('HPE_HEADER_OVERFLOW');
    expect(logged(trace, 'client closed before the server stopped')).toEqual([true]);
  });

  test('an endless status line', async () => {
    const trace = await differential(async (run) => {
      let closedEarly: Promise<boolean> = Promise.resolve(false);
      const server = await run.rawServer('srv', (conn) => {
        closedEarly = endless(conn, 'HTTP/1.1 200 ', 'reason ');
      });
      await run.request(server, 'a', {}, { briefErrors: true }).done;
      run.log('client closed before the server stopped', await closedEarly);
    });
    expect(errorOf(trace).code).toBe('HPE_HEADER_OVERFLOW');
    expect(logged(trace, 'client closed before the server stopped')).toEqual([true]);
  });

  test('one endless header value', async () => {
    const trace = await differential(async (run) => {
      let closedEarly: Promise<boolean> = Promise.resolve(false);
      const server = await run.rawServer('srv', (conn) => {
        closedEarly = endless(conn, 'HTTP/1.1 200 OK\r\nX-Long: ', 'abcdefgh');
      });
      await run.request(server, 'a', {}, { briefErrors: true }).done;
      run.log('client closed before the server stopped', await closedEarly);
    });
    expect(errorOf(trace).code).toBe('HPE_HEADER_OVERFLOW');
    expect(logged(trace, 'client closed before the server stopped')).toEqual([true]);
  });
});

describe('chunked framing attacks', () => {
  test('an invalid chunk size', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n');
    expect(errorOf(trace).code).toBe('HPE_INVALID_CHUNK_SIZE');
  });

  test('a chunk size that overflows 64 bits', async () => {
    // uvhttp stops at the digit that overflows, llhttp one byte later (docs/PARSER.md): the
    // codes compare, not bytesParsed.
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nhello\r\n0\r\n\r\n', {}, { briefErrors: true });
    expect(errorOf(trace).code).toBe('HPE_INVALID_CHUNK_SIZE');
  });

  test('chunk data not followed by CRLF', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n');
    expect(trace.length).toBeGreaterThan(1);
  });

  test('an endless chunk-size line of hex digits', async () => {
    const trace = await differential(async (run) => {
      let closedEarly: Promise<boolean> = Promise.resolve(false);
      const server = await run.rawServer('srv', (conn) => {
        closedEarly = endless(conn, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'f');
      });
      await run.request(server, 'a', {}, { briefErrors: true }).done;
      run.log('client closed before the server stopped', await closedEarly);
    });
    expect(errorOf(trace).code).toBe('HPE_INVALID_CHUNK_SIZE');
    expect(logged(trace, 'client closed before the server stopped')).toEqual([true]);
  });

  test('an endless chunk extension', async () => {
    const trace = await differential(async (run) => {
      let closedEarly: Promise<boolean> = Promise.resolve(false);
      const server = await run.rawServer('srv', (conn) => {
        closedEarly = endless(conn, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=', 'abcdefgh');
      });
      await run.request(server, 'a', {}, { briefErrors: true }).done;
      run.log('client closed before the server stopped', await closedEarly);
    });
    expect(events(trace, 'error').length + events(trace, 'res error').length).toBeGreaterThan(0);
    expect(logged(trace, 'client closed before the server stopped')).toEqual([true]);
  });

  test('endless trailers', async () => {
    const trace = await differential(async (run) => {
      let closedEarly: Promise<boolean> = Promise.resolve(false);
      const server = await run.rawServer('srv', (conn) => {
        closedEarly = endless(conn, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n', 'X-Trailer: more\r\n');
      });
      await run.request(server, 'a', {}, { briefErrors: true }).done;
      run.log('client closed before the server stopped', await closedEarly);
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'HPE_HEADER_OVERFLOW' });
    expect(logged(trace, 'client closed before the server stopped')).toEqual([true]);
  });

  test('a body sent in answer to HEAD: the bytes are read as the next response', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', OK));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent, method: 'HEAD' }).done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
  });

  test('Transfer-Encoding with Content-Length (request smuggling shape)', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    expect(trace.length).toBeGreaterThan(1);
  });

  test('Content-Length with Transfer-Encoding after it', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    expect(trace.length).toBeGreaterThan(1);
  });

  test('Transfer-Encoding whose last coding is not chunked: the body runs to the close', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
      });
      await run.request(server, 'a').done;
    });
    expect(trace.length).toBeGreaterThan(1);
  });

  test('chunked given twice: node reads it, uvhttp rejects it (stricter by design)', async () => {
    await stricterByDesign('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', 'HPE_INVALID_TRANSFER_ENCODING');
  });
});

describe('Content-Length attacks', () => {
  test('two different Content-Length values', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello');
    expect(errorOf(trace).code).toBe('HPE_UNEXPECTED_CONTENT_LENGTH');
  });

  test('the same Content-Length twice', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello');
    expect(trace.length).toBeGreaterThan(1);
  });

  test('a Content-Length list', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello');
    expect(trace.length).toBeGreaterThan(1);
  });

  test('a negative Content-Length', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello');
    expect(errorOf(trace).code).toBe('HPE_INVALID_CONTENT_LENGTH');
  });

  test('a Content-Length that overflows', async () => {
    // As for the chunk size: uvhttp stops at the digit that overflows, llhttp one byte later.
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nhello', {}, { briefErrors: true });
    expect(errorOf(trace).code).toBe('HPE_INVALID_CONTENT_LENGTH');
  });

  test('a body longer than its Content-Length, on a connection that is not kept', async () => {
    const trace = await oneBadResponse('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef');
    expect(events(trace, 'res end')[0][2]).toBe('abc');
  });

  test('a body longer than its Content-Length, on a keep-alive connection', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef', OK));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent }).done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(events(trace, 'res end')[0][2]).toBe('abc');
  });

  test('a second final response to one request', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(OK + OK));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent }).done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(trace.length).toBeGreaterThan(1);
  });
});
