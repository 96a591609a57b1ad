// The Date header field, formatted once per second rather than once per response (Node's
// utcDate, uWebSockets' 1-second timer).
let cached: string | undefined;

function clear(): void {
  cached = undefined;
}

// The whole field line, `Date: <IMF-fixdate>\r\n` (RFC 9110 §6.6.1).
export function dateField(): string {
  if (cached === undefined) {
    const now = new Date();
    cached = `Date: ${now.toUTCString()}\r\n`;
    setTimeout(clear, 1000 - now.getMilliseconds()).unref();
  }
  return cached;
}
