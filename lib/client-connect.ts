// The client's connections: net.createConnection's contract (options, validation, the lookup and
// its 'lookup' events, Happy Eyeballs, errors) over a native connection. Agent's default
// createConnection, and what a request without an agent connects with.
import * as dns from 'dns';
import * as net from 'net';
import { getDefaultHighWaterMark } from 'stream';

import { binding, NativeSettings } from './binding';
import { errInvalidArgType, errInvalidIpAddress, errSocketBadPort } from './errors';
import { defaultMaxHeaderSize } from './http-common';
import { ConnectTarget, Socket } from './socket';

export interface ConnectOptions {
  host?: string | null;
  port?: number | string | null;
  path?: string | null;
  socketPath?: string | null;
  localAddress?: string | null;
  localPort?: number | null;
  family?: number | string | null;
  hints?: number;
  lookup?: typeof dns.lookup;
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  autoSelectFamily?: boolean;
  autoSelectFamilyAttemptTimeout?: number;
  allowHalfOpen?: boolean;
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  [option: string]: unknown;
}

// Client connections start with Node's limits; each request sets its own (setParserLimits).
let clientSettings: NativeSettings | null = null;

function settings(): NativeSettings {
  if (clientSettings === null) {
    clientSettings = binding.createSettings(defaultMaxHeaderSize, false, 0, 0, 0, getDefaultHighWaterMark(false));
  }
  return clientSettings;
}

/** net.createConnection(options[, connectListener]) with a native connection under it. */
export function createConnection(options: ConnectOptions, connectListener?: () => void): Socket {
  // net.Socket hands its options to Duplex: the highWaterMark options of a request reach its
  // socket (and, through readableHighWaterMark, its response), on every line.
  const socket = new Socket({
    allowHalfOpen: options.allowHalfOpen === true,
    highWaterMark: options.highWaterMark,
    readableHighWaterMark: options.readableHighWaterMark,
    writableHighWaterMark: options.writableHighWaterMark,
  } as net.SocketConstructorOpts);
  if (options.timeout) socket.setTimeout(options.timeout);
  connect(socket, options, connectListener);
  return socket;
}

function connect(socket: Socket, options: ConnectOptions, connectListener?: () => void): void {
  if (connectListener) socket.once('connect', connectListener);
  if (options.noDelay) socket.setNoDelay(true);
  if (options.keepAlive) socket.setKeepAlive(true, options.keepAliveInitialDelay ?? 0);
  const path = options.path;
  if (path !== undefined && path !== null) {
    socket._beginConnect();
    process.nextTick(() => {
      if (socket.connecting) socket._connectNative([{ path: String(path) }], settings());
    });
    return;
  }
  const { localAddress, localPort } = options;
  if (localAddress && net.isIP(localAddress) === 0) throw errInvalidIpAddress(localAddress);
  if (localPort !== undefined && localPort !== null && typeof localPort !== 'number') {
    throw errInvalidArgType('options.localPort', 'of type number', localPort);
  }
  let port = options.port;
  if (port !== undefined && port !== null) {
    if (typeof port !== 'number' && typeof port !== 'string') throw errInvalidArgType('options.port', 'of type number or string', port);
    validatePort(port);
  }
  const portNumber = Number(port ?? 0) | 0;
  const host = options.host || 'localhost';
  const local = { localAddress: localAddress ?? undefined, localPort: localPort ?? undefined };
  socket._beginConnect();

  const family = net.isIP(host);
  if (family !== 0) {
    process.nextTick(() => {
      if (socket.connecting) socket._connectNative([{ address: host, port: portNumber, family, ...local }], settings());
    });
    return;
  }

  const dnsFamily = toDnsFamily(options.family);
  // What the lookup is given, as net's socketToDnsFamily makes it: the family as it came (not
  // given: undefined), 'IPv4'/'IPv6' as 4/6.
  const lookupFamily = (options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family) as number | undefined;
  let hints = options.hints ?? 0;
  // As net: addresses of families the machine has, unless told otherwise.
  if (process.platform !== 'win32' && dnsFamily !== 4 && dnsFamily !== 6 && hints === 0) hints = dns.ADDRCONFIG;
  const lookup = options.lookup ?? dns.lookup;
  if (typeof lookup !== 'function') throw errInvalidArgType('options.lookup', 'of type function', lookup);
  (socket as { _host?: string })._host = host;
  const autoSelectFamily = options.autoSelectFamily ?? net.getDefaultAutoSelectFamily();
  if (dnsFamily !== 4 && dnsFamily !== 6 && !localAddress && autoSelectFamily) {
    let attemptTimeout = options.autoSelectFamilyAttemptTimeout ?? net.getDefaultAutoSelectFamilyAttemptTimeout();
    if (attemptTimeout < 10) attemptTimeout = 10;
    lookup(host, { family: lookupFamily, hints, all: true }, (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => {
      if (!socket.connecting) return;
      if (error) {
        socket.emit('lookup', error, undefined, undefined, host);
        process.nextTick(() => socket.destroy(error));
        return;
      }
      const targets = interleaveFamilies(socket, addresses, host, portNumber, local);
      if (targets === null || !socket.connecting) return;
      socket._connectNative(targets, settings(), attemptTimeout);
    });
    return;
  }
  lookup(host, { family: lookupFamily, hints }, (error: NodeJS.ErrnoException | null, address: string, addressFamily: number) => {
    socket.emit('lookup', error, address, addressFamily, host);
    if (!socket.connecting) return;
    if (error) {
      process.nextTick(() => socket.destroy(error));
    } else if (net.isIP(address) === 0) {
      process.nextTick(() => socket.destroy(errInvalidIpAddress(address)));
    } else {
      socket._connectNative([{ address, port: portNumber, family: addressFamily, ...local }], settings());
    }
  });
}

// RFC 8305 §4: the addresses in the order of their families alternating, starting with the
// family of the first; each address once.
function interleaveFamilies(
  socket: Socket,
  addresses: dns.LookupAddress[],
  host: string,
  port: number,
  local: { localAddress?: string; localPort?: number },
): ConnectTarget[] | null {
  const groups: [ConnectTarget[], ConnectTarget[]] = [[], []];
  const seen = new Set<string>();
  let first = 0;
  for (const { address, family } of addresses) {
    socket.emit('lookup', null, address, family, host);
    if (!socket.connecting) return null;
    if (net.isIP(address) === 0 || (family !== 4 && family !== 6) || seen.has(address)) continue;
    if (first === 0) first = family;
    seen.add(address);
    groups[family === first ? 0 : 1].push({ address, port, family, ...local });
  }
  if (groups[0].length === 0) {
    process.nextTick(() => socket.destroy(errInvalidIpAddress(addresses[0]?.address)));
    return null;
  }
  const targets: ConnectTarget[] = [];
  for (let i = 0; i < Math.max(groups[0].length, groups[1].length); i++) {
    if (i < groups[0].length) targets.push(groups[0][i]);
    if (i < groups[1].length) targets.push(groups[1][i]);
  }
  return targets;
}

function toDnsFamily(family: unknown): number {
  switch (family) {
    case 'IPv4':
      return 4;
    case 'IPv6':
      return 6;
    default:
      return Number(family) || 0;
  }
}

// net's validatePort: an integer in 0..65535, or a string of one.
function validatePort(port: number | string): void {
  const value = typeof port === 'string' ? (port.trim() === '' ? NaN : Number(port)) : port;
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw errSocketBadPort('Port', port);
}
