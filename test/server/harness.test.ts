// The test harness itself: the strict response reader and Date masking, on literal bytes.
import { DATE_MASK, maskDate, readResponses, ResponseSyntaxError } from '../helpers/raw';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('readResponses', () => {
  test('Content-Length framing, several responses back to back', () => {
    const r = readResponses(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    expect(r.incomplete).toBe(false);
    expect(r.responses.map((x) => [x.statusCode, x.statusMessage, x.framing, x.body.toString()])).toEqual([
      [200, 'OK', 'content-length', 'hello'],
      [404, 'Not Found', 'content-length', ''],
    ]);
  });

  test('chunked framing with extensions and trailers', () => {
    const r = readResponses(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\na\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n'));
    const x = r.responses[0];
    expect(x.framing).toBe('chunked');
    expect(x.chunks).toEqual([3, 10, 0]);
    expect(x.body.toString()).toBe('abc0123456789');
    expect(x.trailers).toEqual([{ name: 'X-T', value: '1' }]);
  });

  test('an incomplete response is not returned', () => {
    const partial = readResponses(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'));
    expect(partial.responses).toHaveLength(0);
    expect(partial.incomplete).toBe(true);
    const chunkedPartial = readResponses(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n'));
    expect(chunkedPartial.responses).toHaveLength(0);
  });

  test('close-delimited body completes only at EOF', () => {
    const raw = b('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nraw body');
    expect(readResponses(raw).responses).toHaveLength(0);
    const r = readResponses(raw, { eof: true });
    expect(r.responses[0].framing).toBe('close');
    expect(r.responses[0].body.toString()).toBe('raw body');
  });

  test('HEAD, 1xx, 204 and 304 responses have no body', () => {
    const raw = b(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' + // answer to HEAD
        'HTTP/1.1 204 No Content\r\n\r\n' +
        'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
    );
    const r = readResponses(raw, { methods: ['HEAD', 'GET', 'GET'] });
    expect(r.responses.map((x) => [x.statusCode, x.framing, x.body.length])).toEqual([
      [100, 'none', 0],
      [200, 'none', 0],
      [204, 'none', 0],
      [304, 'none', 0],
    ]);
    expect(r.incomplete).toBe(false);
  });

  test.each([
    ['bare LF head', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n'],
    ['bad status line', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['bad header line', 'HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n'],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk not followed by CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY0\r\n\r\n'],
    ['conflicting Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
  ])('strict: %s throws', (_l, text) => {
    expect(() => readResponses(b(text), { eof: true })).toThrow(ResponseSyntaxError);
  });
});

describe('maskDate', () => {
  test('masks the Date value in every head, keeps its position and everything else', () => {
    const raw = b(
      'HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 22:49:04 GMT\r\nContent-Length: 20\r\n\r\nDate: in the body!!!' +
        'HTTP/1.1 200 OK\r\nX-A: 1\r\ndate: Tue, 24 Nov 2026 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n',
    );
    expect(maskDate(raw)).toBe(
      `HTTP/1.1 200 OK\r\nDate: ${DATE_MASK}\r\nContent-Length: 20\r\n\r\nDate: in the body!!!` +
        `HTTP/1.1 200 OK\r\nX-A: 1\r\ndate: ${DATE_MASK}\r\nContent-Length: 0\r\n\r\n`,
    );
  });

  test('a response without Date is unchanged', () => {
    const text = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
    expect(maskDate(b(text))).toBe(text);
  });

  test('does not mask X-Date or Date-like names', () => {
    const text = 'HTTP/1.1 200 OK\r\nX-Date: keep\r\nDated: keep\r\nContent-Length: 0\r\n\r\n';
    expect(maskDate(b(text))).toBe(text);
  });
});
