// Exports that later Node lines added to node:http, present on uvhttp exactly where the running
// Node has them, so that uvhttp's exports follow the node:http it replaces on each line. They
// do not touch the transport, so they are Node's own:
// - WebSocket, CloseEvent, MessageEvent (Node 22): the WHATWG WebSocket classes (lazy getters);
// - isValidHeaderName, isValidHeaderValue, websocketMask, websocketUnmask (Node 26): pure
//   functions of their arguments.
// setGlobalProxyFromEnv (Node 24) is uvhttp's own (global-proxy.ts): it configures the client.
import * as nodeHttp from 'http';

const NAMES = [
  'WebSocket',
  'CloseEvent',
  'MessageEvent',
  'isValidHeaderName',
  'isValidHeaderValue',
  'websocketMask',
  'websocketUnmask',
];

export function addLineExports(target: object): void {
  for (const name of NAMES) {
    const descriptor = Object.getOwnPropertyDescriptor(nodeHttp, name);
    if (descriptor) Object.defineProperty(target, name, { ...descriptor, configurable: true });
  }
}
