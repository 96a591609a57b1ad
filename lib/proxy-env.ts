// A proxy from the environment (Node 22.21 and 24.5, nodejs/node#58980): an Agent made with the
// proxyEnv option (the global agent gets the environment under NODE_USE_ENV_PROXY=1 or
// --use-env-proxy) sends its plain-http requests through the HTTP_PROXY proxy, except to the
// hosts NO_PROXY names. The request goes to the proxy in absolute-form (RFC 9112 §3.2.2) with
// Proxy-Connection and, when the proxy URL has credentials, Proxy-Authorization; the agent's
// createConnection connects to the proxy instead of the origin. What changed within the lines
// is in node-features.ts.
import { Buffer } from 'buffer';
import * as net from 'net';
import { URL } from 'url';

import { errInvalidArgValue, errProxyInvalidConfig, errSocketBadPort } from './errors';
import { noProxySuffixAtLabel, proxiedRequestAuthorityChecked, proxyConfigKeepsHostFields, proxyErrorsRedacted } from './node-features';

export const kProxyConfig = Symbol('kProxyConfig');

/** The environment variables a proxy configuration is read from. */
export type ProxyEnv = Record<string, string | undefined>;

// Credentials never reach an error message (logs, crash reports), even for a URL that does not
// parse (then the userinfo is cut textually, up to the last '@' of the authority).
function redact(proxyUrl: string): string {
  if (!proxyErrorsRedacted) return proxyUrl;
  try {
    const url = new URL(proxyUrl);
    if (!url.username && !url.password) return proxyUrl;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return proxyUrl.replace(/\/\/[^/]*@/, '//[redacted]@');
  }
}

/** One agent's proxy: where to connect, what to add to each request, which hosts go direct. */
// The fields are made in the constructor's order (util.inspect of an agent shows them).
export class ProxyConfig {
  declare href: string;
  declare host?: string;
  declare hostname?: string;
  declare port?: number;
  declare protocol: string;
  declare auth?: string;
  declare bypassList: string[];
  declare proxyConnectionOptions: { host: string; port: number };

  constructor(proxyUrl: string, noProxy: string | undefined) {
    let url: URL;
    try {
      url = new URL(proxyUrl);
    } catch {
      throw errProxyInvalidConfig(`Invalid proxy URL: ${redact(proxyUrl)}`);
    }
    const { hostname, port, protocol, username, password } = url;
    const bare = hostname[0] === '[' ? hostname.slice(1, -1) : hostname;
    const proxyPort = port ? Number(port) : protocol === 'https:' ? 443 : 80;
    this.href = proxyUrl;
    if (proxyConfigKeepsHostFields) {
      this.host = url.host;
      this.hostname = bare;
      this.port = proxyPort;
    }
    this.protocol = protocol;
    if (username || password) {
      url.username = '';
      url.password = '';
      this.href = url.href;
      this.auth = `Basic ${Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`).toString('base64')}`;
    }
    this.bypassList = noProxy ? noProxy.split(',').map((entry) => entry.trim().toLowerCase()) : [];
    this.proxyConnectionOptions = { host: bare, port: proxyPort };
  }

  // NO_PROXY as curl reads it: `*`, a host or host:port, `.suffix` (and `*.suffix`), or an IPv4
  // range `a.b.c.d-e.f.g.h`.
  shouldUseProxy(hostname: string, port: unknown): boolean {
    if (this.bypassList.length === 0) return true;
    const host = hostname.toLowerCase();
    const hostWithPort = port ? `${host}:${port}` : host;
    for (const entry of this.bypassList) {
      if (entry === '*' || entry === host || entry === hostWithPort) return false;
      if (entry[0] === '.') {
        const suffix = entry.substring(1);
        if (noProxySuffixAtLabel ? host === suffix || (host.endsWith(suffix) && host[host.length - suffix.length - 1] === '.') : host.endsWith(suffix)) {
          return false;
        }
      }
      if (entry.startsWith('*.') && host.endsWith(entry.substring(1))) return false;
      if (entry.includes('-') && net.isIPv4(host)) {
        const [start, end] = entry.split('-').map((part) => part.trim());
        if (start && end && net.isIPv4(start) && net.isIPv4(end)) {
          const value = ipv4Number(host);
          if (value >= ipv4Number(start) && value <= ipv4Number(end)) return false;
        }
      }
    }
    return true;
  }
}

function ipv4Number(ip: string): number {
  let value = 0;
  for (const octet of ip.split('.')) value = (value << 8) + Number.parseInt(octet, 10);
  return value >>> 0;
}

/** The proxy an agent of `protocol` uses under `env`, or null (none set, or not an http(s) URL). */
export function parseProxyConfigFromEnv(env: ProxyEnv, protocol: string): ProxyConfig | null {
  if (protocol !== 'http:' && protocol !== 'https:') return null;
  // Lower case first, as most tools read them.
  const proxyUrl = protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY : env.http_proxy || env.HTTP_PROXY;
  if (!proxyUrl) return null;
  if (proxyUrl.includes('\r') || proxyUrl.includes('\n')) throw errProxyInvalidConfig(`Invalid proxy URL: ${redact(proxyUrl)}`);
  // Other schemes are left to userland.
  if (!proxyUrl.startsWith('http://') && !proxyUrl.startsWith('https://')) return null;
  return new ProxyConfig(proxyUrl, env.no_proxy || env.NO_PROXY);
}

/** Whether a request with these (merged) options goes through the proxy. */
export function checkShouldUseProxy(config: ProxyConfig | null | undefined, options: { host?: unknown; port?: unknown; socketPath?: unknown }): boolean {
  if (!config) return false;
  // A local socket cannot be proxied.
  if (options.socketPath) return false;
  return config.shouldUseProxy(String(options.host || 'localhost'), options.port);
}

/** What rewriteForProxiedHttp needs of a ClientRequest. */
export interface ProxiedRequest {
  _header: string | null;
  agent?: { protocol?: string; [kProxyConfig]?: ProxyConfig | null } | null;
  method: string;
  path: string;
  shouldKeepAlive: boolean;
  getHeader(name: string): unknown;
  setHeader(name: string, value: string): unknown;
}

/** The authority the options name: the host (IPv6 bracketed) and port, as the Host field has them. */
export interface RequestAuthority {
  host: string;
  port: unknown;
}

/**
 * A plain-http request its agent proxies goes out in absolute-form with the proxy's fields.
 * `userHost` is the Host the user set (before the one made from the options), `headerArray` the
 * headers when given as an array (stored as they are).
 */
export function rewriteForProxiedHttp(
  req: ProxiedRequest,
  options: { protocol?: unknown; host?: unknown; port?: unknown; socketPath?: unknown },
  authority: RequestAuthority,
  userHost: unknown,
  headerArray: unknown[] | undefined,
): void {
  if (req._header) return;
  const agent = req.agent;
  const config = agent ? agent[kProxyConfig] : null;
  if (!config) return;
  if ((options.protocol || agent?.protocol) !== 'http:') return;
  if (!checkShouldUseProxy(config, options)) return;

  let absolute: string | undefined;
  if (proxiedRequestAuthorityChecked) {
    // CONNECT and OPTIONS * keep their forms (RFC 9112 §3.2.3, §3.2.4). The checks come before
    // anything is changed: a refused request leaves no proxy fields behind.
    if (req.method !== 'CONNECT' && !(req.method === 'OPTIONS' && req.path === '*')) {
      const checked = checkAuthority(req.path, authority, userHost, headerArray);
      if (headerArray === undefined) {
        const current = req.getHeader('host');
        if (current !== undefined && current !== checked.base.host) req.setHeader('Host', checked.base.host);
      }
      absolute = checked.url.href;
    }
  }
  if (config.auth) req.setHeader('proxy-authorization', config.auth);
  req.setHeader('proxy-connection', req.shouldKeepAlive ? 'keep-alive' : 'close');
  if (!proxiedRequestAuthorityChecked) {
    // The absolute URL from the Host field (localhost without one) and the port.
    const url = new URL(req.path, `http://${(req.getHeader('host') as string | undefined) || 'localhost'}`);
    if (options.port) url.port = String(options.port);
    absolute = url.href;
  }
  if (absolute !== undefined) req.path = absolute;
}

// RFC 9112 §3.2: an absolute-form target must agree with the request's authority (same
// scheme, no userinfo, the authority the options give), and so must a Host the user set.
function checkAuthority(path: unknown, authority: RequestAuthority, userHost: unknown, headerArray: unknown[] | undefined): { base: URL; url: URL } {
  checkPort(authority.port);
  const target = `${path}`;
  const base = new URL(`http://${authority.host}`);
  base.port = authority.port as string;
  if (headerArray !== undefined) {
    // The array's fields are sent as given, so its Host must already be the authority.
    const host = hostOfHeaderArray(headerArray);
    if (host !== undefined && host !== base.host) {
      throw errInvalidArgValue('Host in options.headers', host, `must match the request authority (${base.host})`);
    }
  } else if (userHost !== undefined && !sameAuthority(base.host, userHost)) {
    throw errInvalidArgValue('Host in options.headers', userHost, `must match the request authority (${base.host})`);
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    if (target.charCodeAt(0) !== 0x2f) throw errInvalidArgValue('options.path', target, 'must be in absolute-form or start with /');
    return { base, url: new URL(base.origin + target) };
  }
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
    throw errInvalidArgValue('options.path', url.href, 'must not contain userinfo, use options.auth instead');
  }
  if (url.protocol !== 'http:') throw errInvalidArgValue('options.path', url.protocol, 'must use http: scheme when specified as an absolute URL');
  if (base.host !== url.host) throw errInvalidArgValue('options.path', url, `must match the request authority (${base.host})`);
  return { base, url };
}

// net's validatePort with port 0 allowed, under the option's name.
function checkPort(port: unknown): void {
  if (
    (typeof port !== 'number' && typeof port !== 'string') ||
    (typeof port === 'string' && port.trim().length === 0) ||
    +port !== +port >>> 0 ||
    +port > 0xffff
  ) {
    throw errSocketBadPort('options.port', port);
  }
}

// The Host of headers given as [name, value, ...] (or [[name, value], ...]); a second Host, or a
// pair that is not an array, is refused.
function hostOfHeaderArray(headers: unknown[]): string | undefined {
  let host: string | undefined;
  const found = (value: unknown): void => {
    if (host !== undefined) throw errInvalidArgValue('options.headers', '(redacted)', 'must not contain duplicate Host headers');
    host = `${value}`;
  };
  if (headers.length > 0 && Array.isArray(headers[0])) {
    headers.forEach((entry, i) => {
      if (!Array.isArray(entry)) {
        throw errInvalidArgValue(`options.headers[${i}]`, typeof entry, 'must be an array when headers is passed as an array of pairs');
      }
      if (`${entry[0]}`.toLowerCase() === 'host') found(entry[1]);
    });
  } else {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (`${headers[i]}`.toLowerCase() === 'host') found(headers[i + 1]);
    }
  }
  return host;
}

// Whether a Host field names the authority (parsed as URL does: case, default port).
function sameAuthority(canonical: string, host: unknown): boolean {
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return false;
  return url.host === canonical;
}
