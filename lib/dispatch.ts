// Routes native events to the JS objects they concern. The callbacks are registered with the
// addon once per environment (DESIGN: "register callbacks once"); each event carries a
// connection or listener id.
import { binding } from './binding';
import type { Server } from './server';
import { ServerConnection } from './server-connection';
import { Socket } from './socket';

const FIELD_NAMES = binding.fieldNames;
const listeners = new Map<number, Server>();
const connections = new Map<number, ServerConnection>();

export function registerListener(id: number, server: Server): void {
  listeners.set(id, server);
}

export function unregisterListener(id: number): void {
  listeners.delete(id);
}

// The connection's descriptor now belongs to a net.Socket (an upgrade or CONNECT): the native
// close that follows is not this connection's end.
export function forgetConnection(id: number): void {
  connections.delete(id);
}

// A new connection of `server`'s: accepted by its native listener, or adopted from a handle the
// cluster primary sent. Emits 'connection', or drops it over maxConnections as net.Server does.
export function openConnection(server: Server, id: number): void {
  if (server.maxConnections > 0 && server._connections >= server.maxConnections) {
    // net.Server's rule: over maxConnections the new connection is closed, with a 'drop'.
    const local = binding.localAddress(id);
    const remote = binding.peerAddress(id);
    binding.destroy(id);
    server.emit('drop', Object.assign(Object.create(null), {
      localAddress: local?.address,
      localPort: local?.port,
      localFamily: local?.family,
      remoteAddress: remote?.address,
      remotePort: remote?.port,
      remoteFamily: remote?.family,
    }));
    return;
  }
  const socket = new Socket(id);
  if (server.highWaterMark !== undefined) {
    socket.readableHighWaterMark = server.highWaterMark;
    socket.writableHighWaterMark = server.highWaterMark;
  }
  const connection = new ServerConnection(server, socket);
  connections.set(id, connection);
  server._connectionOpened(connection);
  server.emit('connection', socket);
}

binding.setCallbacks({
  onConnection(listenerId, id) {
    const server = listeners.get(listenerId);
    if (server === undefined) {
      binding.destroy(id);
      return;
    }
    openConnection(server, id);
  },
  onHead(id, method, url, major, minor, flags, ...rawHeaders) {
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i];
      if (typeof name === 'number') rawHeaders[i] = FIELD_NAMES[name];
    }
    try {
      return connections.get(id)?.onHead(method, url, major, minor, rawHeaders as string[], flags);
    } catch (error) {
      binding.handlerThrew();
      throw error;
    }
  },
  onUpgrade(id, head) {
    connections.get(id)?.onUpgrade(head);
  },
  onBody(id, chunk) {
    try {
      connections.get(id)?.onBody(chunk);
    } catch (error) {
      binding.handlerThrew();
      throw error;
    }
  },
  onMessageEnd(id, rawTrailers) {
    try {
      connections.get(id)?.onMessageEnd(rawTrailers);
    } catch (error) {
      binding.handlerThrew();
      throw error;
    }
  },
  onParseError(id, code, reason, bytesParsed, rawPacket, status) {
    connections.get(id)?.onParseError(code, reason, bytesParsed, rawPacket, status);
  },
  onEnd(id) {
    connections.get(id)?.onEnd();
  },
  onDrain(id) {
    connections.get(id)?.socket._onDrain();
  },
  onTimeout(id) {
    connections.get(id)?.socket._onTimeout();
  },
  onClose(id, errno) {
    const connection = connections.get(id);
    if (connection === undefined) return;
    connections.delete(id);
    connection.socket._onClose(errno);
  },
});
