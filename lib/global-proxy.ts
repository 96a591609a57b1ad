// http.setGlobalProxyFromEnv(env = process.env) (Node 24 and 26): points the global agents and
// fetch at the proxies `env` names, and returns a function that puts them back. uvhttp's runs
// Node's own, which checks `env` (its errors are Node's), sets fetch's dispatcher and
// https.globalAgent, and replaces node:http's global agent; that one is put back at once (the
// caller asked uvhttp), and uvhttp's global agent is replaced instead, as Node replaces its own:
// with a new Agent whose proxyEnv is `env`, when `env` names an http proxy.
import * as nodeHttp from 'http';

import { Agent, getGlobalAgent, setGlobalAgent } from './agent';

type Restore = () => void;
const nodeSetGlobalProxyFromEnv = (nodeHttp as unknown as { setGlobalProxyFromEnv?: (env?: unknown) => Restore }).setGlobalProxyFromEnv;

function setGlobalProxyFromEnv(env: Record<string, string | undefined> = process.env): Restore {
  const ours = getGlobalAgent();
  // Under `-r uvhttp/register` node:http's globalAgent is uvhttp's accessor: this is `ours`.
  const nodeAgent = nodeHttp.globalAgent;
  const restoreNode = (nodeSetGlobalProxyFromEnv as (env?: unknown) => Restore)(env);
  (nodeHttp as { globalAgent: unknown }).globalAgent = nodeAgent;
  if (!(env.http_proxy || env.HTTP_PROXY)) return restoreNode;
  setGlobalAgent(new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000, proxyEnv: env }));
  return function restore(): void {
    restoreNode();
    setGlobalAgent(ours);
  };
}

/** Adds setGlobalProxyFromEnv to the exports where the running node:http has it. */
export function addGlobalProxyExport(target: object): void {
  if (typeof nodeSetGlobalProxyFromEnv !== 'function') return;
  Object.defineProperty(target, 'setGlobalProxyFromEnv', { value: setGlobalProxyFromEnv, writable: true, enumerable: true, configurable: true });
}
