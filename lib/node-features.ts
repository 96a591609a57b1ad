// Behaviour that appeared or changed within a Node line (server and client), on when the
// running Node has it, so that uvhttp follows the node:http it replaces (README "Differences
// between Node lines").
const [major, minor, patch] = process.versions.node.split('.').map(Number);

// True from the first release of each listed line that has it (e.g. '22.19.0', '24.6.0'), and
// on every line after the last listed; false on earlier lines and on the unlisted ones between.
function since(...firsts: string[]): boolean {
  const releases = firsts.map((v) => v.split('.').map(Number));
  const same = releases.find((r) => r[0] === major);
  if (same) return minor > same[1] || (minor === same[1] && patch >= same[2]);
  return major > Math.max(...releases.map((r) => r[0]));
}

// Server.keepAliveTimeoutBuffer: how long past keepAliveTimeout an idle connection stays open.
export const hasKeepAliveTimeoutBuffer = since('22.19.0', '24.6.0');

// listen({ reusePort: true }): SO_REUSEPORT, so that processes and threads can each listen on
// the same port and the kernel spreads the connections (Node 22.12, 23.1). The bit is libuv's
// UV_TCP_REUSEPORT (1.49), which Node 20's libuv does not define.
export const hasReusePort = since('22.12.0', '23.1.0');
export const UV_TCP_REUSEPORT = 2;

// listen({ port, ipv6Only }) without a host binds '::' IPv6-only (Node 22.12 and 23.1 pass the
// bind flags on with the reusePort option; Node 20 leaves them out there).
export const listenFlagsWithoutHost = since('22.12.0', '23.1.0');

// A request with more fields (in its head, or in its trailers) than maxHeadersCount (1000 when
// it is not a number) fails to parse: HPE_HEADER_OVERFLOW, answered 431 (Node 22, whose parser
// counts them); Node 20 parses it and drops the extra fields from req.headers.
export const parserCountsRequestFields = since('22.0.0');

// rawHeaders of a head with more fields than maxHeadersCount ends at the limit (Node 22); Node 20
// keeps whole runs of 31 fields up to it (http-common.ts).
export const rawHeadersCutAtLimit = since('22.0.0');

// writeHead(status, [name, value, ...]) after setHeader(): the names given are removed, then
// every pair is appended, so repeated fields survive (nodejs/node#50394, semver-major: 22.0).
// Node 20 setHeader()s each pair: the last one of a name wins.
export const writeHeadArrayAppends = since('22.0.0');

// diagnostics channel 'http.server.response.created', published by the ServerResponse
// constructor (nodejs/node#55622: 22.12, 23.2).
export const hasResponseCreatedChannel = since('22.12.0', '23.2.0');

// Server option and property shouldUpgradeCallback(req): whether a request with Upgrade is
// handed to 'upgrade' listeners (22.21, 24.9).
export const hasShouldUpgradeCallback = since('22.21.0', '24.9.0');

// ServerResponse.prototype.writeHeader, the DEP0063 alias of writeHead: a runtime deprecation
// from 25.0, removed in 26.0.
export const hasWriteHeader = !since('26.0.0');
export const writeHeaderWarns = since('25.0.0');

// end(cb): Node 24 keeps the end callbacks in a list it runs just before 'finish' (its
// onFinish); Node 20 and 22 add them as 'finish' listeners, so they run after those added
// earlier. Not on Node 22.23; on 24 from its first release, as far as the changelogs found say.
export const endCallbacksBeforeFinish = since('24.0.0');

// IncomingMessage.signal, aborted when the message is aborted or its connection closes before
// the exchange is over; ServerResponse.writeInformation(), which writeContinue,
// writeProcessing and writeEarlyHints go through (Node 24).
export const hasIncomingSignal = since('24.0.0');
export const hasWriteInformation = since('24.0.0');

// Server option optimizeEmptyRequests: a request without Content-Length or Transfer-Encoding
// is handed over already ended, with no 'data', 'end' or 'close' (24.12, 25.1).
export const hasOptimizeEmptyRequests = since('24.12.0', '25.1.0');

// Server and http.request() option httpValidation ('strict' | 'relaxed' | 'insecure'): the
// parser's leniency and the validation of the header values a response or request sends
// (nodejs/node#61597: 24.19, 26.3).
export const hasHttpValidation = since('24.19.0', '26.3.0');

// A chunked message corks on its first write of a tick and uncorks on the next: the writes of
// one tick (and user cork()/uncork() spans) leave as one chunk (Node 24).
export const chunkedWritesGathered = since('24.0.0');

// Node 22's step before it: the writes to a chunked message made while the user corks it (its
// head already sent) leave as one chunk at the last uncork(); the writes of one tick still
// leave one chunk each, and writableCorked counts the message's corks. In the pinned 22.23's
// sources, not in 20.20's; from 22.0 as far as those two show.
export const userCorksGatherChunks = since('22.0.0') && !chunkedWritesGathered;

// An OutgoingMessage's writableFinished: Node 20 and 22 compute it (ended, nothing buffered,
// the socket's buffer empty), so it is true as soon as end() has flushed; Node 24 keeps a flag
// set just before 'finish'. (22.23's and 24's sources.)
export const writableFinishedIsFlushed = !since('24.0.0');

// uv_pipe_chmod sets the mode readableAll/writableAll ask for instead of adding those bits to
// the socket file's mode (libuv 1.51, libuv/libuv#4749, which Node 22 and later carry).
const [uvMajor, uvMinor] = process.versions.uv.split('.').map(Number);
export const pipeChmodSetsMode = uvMajor > 1 || (uvMajor === 1 && uvMinor >= 51);

// diagnostics_channel 'http.client.request.created', published by the ClientRequest
// constructor (Node 22.12 and 23.2).
export const hasClientRequestCreatedChannel = since('22.12.0', '23.2.0');

// Agent option and property agentKeepAliveTimeoutBuffer: how much sooner than the server's
// `Keep-Alive: timeout=N` an idle pooled socket is given up (nodejs/node#59315: 22.20, 24.7).
export const hasAgentKeepAliveTimeoutBuffer = since('22.20.0', '24.7.0');

// Built-in proxy support in http.request and Agent (nodejs/node#58980: 22.21, 24.5): the Agent
// options defaultPort and protocol, the proxyEnv option, Agent.prototype.createConnection a
// function of its own that connects to the proxy when one applies, and the global agent made
// with proxyEnv (the environment under NODE_USE_ENV_PROXY=1 or --use-env-proxy).
export const hasAgentProxySupport = since('22.21.0', '24.5.0');

// A 'keylog' listener added to an agent with sockets already made attaches to those sockets,
// free and in use (nodejs/node#65066: 24.21, 26.8); before, the agent took its pools for sockets
// and threw a TypeError.
export const agentKeylogReachesPooledSockets = since('24.21.0', '26.8.0');

// An idle pooled socket is destroyed, without 'error', on any read event: bytes nobody asked
// for, the peer's end, or a read error such as a reset; it then leaves the pool on 'close'
// (CVE-2026-48931, "response queue poisoning": 22.23, 24.17, 26.3.1). Before, a read error
// reached the agent's 'error' listener, which destroyed the socket and emitted 'agentRemove'.
export const freeSocketDestroyedOnRead = since('22.23.0', '24.17.0', '26.3.1');

// The proxy from the environment, as it changed within the lines (proxy-env.ts):
// - a ProxyConfig keeps the proxy's host, hostname and port besides proxyConnectionOptions
//   (22; from 24.7 only the latter, nodejs/node#59420);
// - invalid proxy URL errors leave the credentials out (CVE-2026-123871: 22.23.5, 24.22.3; not
//   in 26.12.1, the 26 tested);
// - a NO_PROXY `.suffix` matches the host itself or at a label boundary, not any string end
//   (nodejs/node#62333: 24.16, 26.1);
// - a proxied request's Host and absolute-form path must name the authority of its options,
//   and the absolute URL is built from the options, not from the Host field (nodejs/node#64108
//   and #64114: 24.19, 26.5).
export const proxyConfigKeepsHostFields = !since('24.7.0');
export const proxyErrorsRedacted = since('22.23.5', '24.22.3', '27.0.0');
export const noProxySuffixAtLabel = since('24.16.0', '26.1.0');
export const proxiedRequestAuthorityChecked = since('24.19.0', '26.5.0');

// http.request({ highWaterMark }) is the request's own write() threshold (writableHighWaterMark
// and the buffer held before it has a socket), not only its socket's (nodejs/node#64653: 24.20,
// 26.7). On every line the option also reaches the socket net.createConnection makes.
export const requestKeepsHighWaterMark = since('24.20.0', '26.7.0');

// An agent giving a request an idle socket sets the socket's writable highWaterMark to the
// request's highWaterMark option, when one is given (the readable one stays the socket's):
// nodejs/node#64991, 24.21, 26.8.
export const reusedSocketTakesHighWaterMark = since('24.21.0', '26.8.0');

// ClientRequest's path is a prototype accessor whose setter checks the path as the constructor
// does (ERR_UNESCAPED_CHARACTERS), so a path set later cannot smuggle a space or a line break
// into the request line (nodejs/node#62030: 24.15, and 26 from its first release).
export const requestPathCheckedOnSet = since('24.15.0', '26.0.0');

// http.request() merges its url and options into a null-prototype object: an option inherited
// from Object.prototype is not read (nodejs/node#63082: 24.16, 26.1).
export const requestOptionsWithoutPrototype = since('24.16.0', '26.1.0');

// req.destroy() once the request has finished and its response is complete only marks the
// request destroyed and dumps the response: the socket is not destroyed and goes back to its
// agent (nodejs/node#65952: 24.22, 26.10).
export const destroyAfterExchangeKeepsSocket = since('24.22.0', '26.10.0');

// server.closeIdleConnections() (and so close()) also closes the connections that have sent
// nothing yet (nodejs/node#63470: 26.4). Before, a connection counts as receiving a message from
// its accept until its first request is in, as it does from any message's first byte.
export const closeIdleTakesUnusedConnections = since('26.4.0');
// The body of an upgrade request is parsed and goes to the request; 'upgrade' gets the bytes
// after it, or a stream that starts after it while it is still arriving (nodejs/node#60016).
export const upgradeBodyGoesToRequest = since('26.0.0');

// A CONNECT request's default Host is its path, the authority it asks for (nodejs/node#64114:
// 26.5); and a CONNECT whose path came from a URL loses the URL's leading slash
// (`http://proxy/host:443` asks for `host:443`; nodejs/node#64876: 26.11). Not in 24.22.
export const connectHostIsPath = since('26.5.0');
export const connectPathFromUrlTrimmed = since('26.11.0');

// The 'aborted' error of a response cut short by a socket error has that error as its cause
// (nodejs/node#66061: 26.11). Not in 24.22.
export const abortedResponseHasCause = since('26.11.0');

// The responses of pipelined requests still queued behind the one being answered are destroyed
// when the connection closes, so they emit 'close' (nodejs/node#62534: 24.16, 26.1); before, they
// stay as they were and never close.
export const queuedResponsesClosedWithConnection = since('24.16.0', '26.1.0');

// OutgoingMessage.prototype._headers and _headerNames: DEP0066 accessors over the header map
// (getHeaders() and the names as set), removed in 24.0 (nodejs/node#57551).
export const hasDeprecatedHeaderAccessors = !since('24.0.0');

// ClientRequest.onSocket listens for the socket's errors at once, not when the request takes the
// socket on the next tick: an error emitted meanwhile (a blockList check, a createConnection's
// own) is the request's 'error' instead of an uncaught one (nodejs/node#61770: 24.15, and 26 from
// its first release).
export const socketErrorsHeardAtOnSocket = since('24.15.0', '26.0.0');

// http.request() option setDefaultHeaders: false: no Host, Connection, Content-Length or
// Transfer-Encoding unless the caller sets them (nodejs/node#56112: 22.13, 23.5).
export const hasSetDefaultHeaders = since('22.13.0', '23.5.0');
