// Server options that appeared within a Node line, on when the running Node has them, so that
// uvhttp follows the node:http it replaces (README "Differences between Node lines").
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

// uv_pipe_chmod sets the mode readableAll/writableAll ask for instead of adding those bits to
// the socket file's mode (libuv 1.51, libuv/libuv#4749, which Node 22 and later carry).
const [uvMajor, uvMinor] = process.versions.uv.split('.').map(Number);
export const pipeChmodSetsMode = uvMajor > 1 || (uvMajor === 1 && uvMinor >= 51);

// diagnostics_channel 'http.client.request.created', published by the ClientRequest
// constructor (Node 22.12 and 23.2).
export const hasClientRequestCreatedChannel = since('22.12.0', '23.2.0');
