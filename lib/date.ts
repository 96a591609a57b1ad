// The Date header value, formatted once per second rather than once per response (Node's
// utcDate, uWebSockets' 1-second timer).
let cached: string | undefined;

function clear(): void {
  cached = undefined;
}

export function utcDate(): string {
  if (cached === undefined) {
    const now = new Date();
    cached = now.toUTCString();
    setTimeout(clear, 1000 - now.getMilliseconds()).unref();
  }
  return cached;
}
