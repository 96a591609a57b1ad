// The readings that differ between the llhttp versions of the tested Node lines, on both sides
// of each difference (ParserLimits::trailing_htab_is_ows), and which one this Node's server
// parsers use. llhttp 9.3 (Node 20) keeps a trailing HTAB in the values it interprets; llhttp
// 9.4 (Node 22, 24, 26) reads it as OWS in Content-Length and Connection, not in
// Transfer-Encoding. (Each line's own llhttp is compared with these readings by
// test/parser-differential.test.ts.)
import { binding, body, done, head, suite } from './harness';

const H = 'Host: h\r\n';
const at = (s: string, sub: string, plus = 0) => s.indexOf(sub) + plus;
let s: string;

suite('llhttp 9.3 (Node 20): a trailing HTAB is kept', [
  { name: 'Content-Length: 3<HTAB> is invalid', input: (s = `POST / HTTP/1.1\r\n${H}Content-Length: 3\t\r\n\r\nabc`), error: { code: 'HPE_INVALID_CONTENT_LENGTH', offset: at(s, '3\t', 1) } },
  { name: 'Connection: close<HTAB> is no close', input: `GET / HTTP/1.1\r\n${H}Connection: close\t\r\n\r\n`, events: [head({ keepAlive: true }), done()] },
  { name: 'Connection: Upgrade<HTAB> is no upgrade', input: `GET / HTTP/1.1\r\n${H}Connection: Upgrade\t\r\nUpgrade: ws\r\n\r\n`, events: [head({ upgrade: false }), done()] },
  { name: 'Connection: close<HTAB>, x is no close', input: `GET / HTTP/1.1\r\n${H}Connection: close\t, x\r\n\r\n`, events: [head({ keepAlive: true }), done()] },
  { name: 'Connection: x, Upgrade<HTAB>, y is no upgrade', input: `GET / HTTP/1.1\r\n${H}Connection: x, Upgrade\t, y\r\nUpgrade: ws\r\n\r\n`, events: [head({ upgrade: false }), done()] },
  { name: 'Connection: x,<HTAB>close (the HTAB before the token) is a close', input: `GET / HTTP/1.1\r\n${H}Connection: x,\tclose\r\n\r\n`, events: [head({ keepAlive: false }), done()] },
]);

suite('llhttp 9.4 (Node 22+): a trailing HTAB is OWS in Content-Length and Connection', [
  { name: 'Content-Length: 3<HTAB>', input: `POST / HTTP/1.1\r\n${H}Content-Length: 3\t\r\n\r\nabc`, opts: { trailingHtabIsOws: true }, events: [head({ contentLength: 3 }), body('abc'), done()] },
  { name: 'Content-Length: 3 <HTAB> <SP>', input: `POST / HTTP/1.1\r\n${H}Content-Length: 3 \t \r\n\r\nabc`, opts: { trailingHtabIsOws: true }, events: [head({ contentLength: 3 }), body('abc'), done()] },
  { name: 'Content-Length: 3<HTAB>3 is still invalid', input: (s = `POST / HTTP/1.1\r\n${H}Content-Length: 3\t3\r\n\r\nabc`), opts: { trailingHtabIsOws: true }, error: { code: 'HPE_INVALID_CONTENT_LENGTH' } },
  { name: 'Connection: close<HTAB>', input: `GET / HTTP/1.1\r\n${H}Connection: close\t\r\n\r\n`, opts: { trailingHtabIsOws: true }, events: [head({ keepAlive: false }), done()] },
  { name: 'Connection: x, close<HTAB>', input: `GET / HTTP/1.1\r\n${H}Connection: x, close\t\r\n\r\n`, opts: { trailingHtabIsOws: true }, events: [head({ keepAlive: false }), done()] },
  { name: 'HTTP/1.0 Connection: keep-alive<HTAB>', input: `GET / HTTP/1.0\r\n${H}Connection: keep-alive\t\r\n\r\n`, opts: { trailingHtabIsOws: true }, events: [head({ keepAlive: true }), done()] },
  { name: 'Connection: close<HTAB>, x', input: `GET / HTTP/1.1\r\n${H}Connection: close\t, x\r\n\r\n`, opts: { trailingHtabIsOws: true }, events: [head({ keepAlive: false }), done()] },
  { name: 'Connection: Upgrade<HTAB>', input: `GET / HTTP/1.1\r\n${H}Connection: Upgrade\t\r\nUpgrade: ws\r\n\r\n`, opts: { trailingHtabIsOws: true }, events: [head({ upgrade: true }), done()] },
  { name: 'Transfer-Encoding: chunked<HTAB> is still rejected in a request', input: (s = `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\t\r\n\r\n`), opts: { trailingHtabIsOws: true }, error: { code: 'HPE_INVALID_TRANSFER_ENCODING', offset: at(s, '\t\r') } },
  { name: 'a response Transfer-Encoding: chunked<HTAB> is still not chunked', type: 'response', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\t\r\n\r\n1\r\na', opts: { trailingHtabIsOws: true }, finish: null, events: [head({ chunked: false }), body('1\r\na'), done()] },
]);

test('the server parsers read as the llhttp of this Node', () => {
  const [major, minor] = (process.versions.llhttp ?? '0.0').split('.').map(Number);
  expect(binding.llhttpDialect()).toEqual({ trailingHtabIsOws: major > 9 || (major === 9 && minor >= 4) });
});
