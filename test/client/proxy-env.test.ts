// A proxy from the environment (Node 22.21 and 24.5: the Agent's proxyEnv option, the global
// agent under NODE_USE_ENV_PROXY=1), differentially: the same requests through node's Agent
// and ClientRequest and through uvhttp's, via a real HTTP proxy on 127.0.0.1 (a node:http
// server that forwards absolute-form requests to the origin), and what the proxy, the origin
// and the caller see must be equal. On Node 20, which has no proxy support, both go direct.
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as util from 'node:util';

import * as uvhttp from '../../lib';
import { hasAgentProxySupport } from '../../lib/node-features';

jest.setTimeout(20_000);

type Client = { name: string; Agent: typeof http.Agent; request: typeof http.request };
const clients: Client[] = [
  { name: 'node', Agent: http.Agent, request: http.request },
  { name: 'uvhttp', Agent: uvhttp.Agent as unknown as typeof http.Agent, request: uvhttp.request as unknown as typeof http.request },
];

// What a hop saw of a request: the fields a proxy or an origin acts on.
function seen(req: http.IncomingMessage): unknown[] {
  const h = req.headers;
  return [req.method, req.url, h.host, h['proxy-connection'], h['proxy-authorization'], h.authorization, h.connection];
}

let origin: http.Server;
let proxy: http.Server;
let originPort = 0;
let proxyPort = 0;
let log: unknown[][] = [];

beforeAll(async () => {
  origin = http.createServer((req, res) => {
    log.push(['origin', ...seen(req)]);
    req.resume();
    res.end(`origin ${req.url}`);
  });
  // Forwards an absolute-form request to 127.0.0.1 (anything else: 502), as a forward proxy does.
  const upstream = new http.Agent({ keepAlive: false });
  proxy = http.createServer((req, res) => {
    log.push(['proxy', ...seen(req)]);
    let target: URL;
    try {
      target = new URL(req.url as string);
    } catch {
      res.writeHead(400).end('not absolute-form');
      return;
    }
    if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') {
      res.writeHead(502).end(`no route to ${target.host}`);
      return;
    }
    const forwarded = http.request(
      { host: '127.0.0.1', port: target.port, path: target.pathname + target.search, method: req.method, agent: upstream, headers: { host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode as number, { 'x-via': 'proxy' });
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.writeHead(502).end('upstream error'));
    req.pipe(forwarded);
  });
  await Promise.all([origin, proxy].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  originPort = (origin.address() as AddressInfo).port;
  proxyPort = (proxy.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const server of [origin, proxy]) server.closeAllConnections();
  await Promise.all([origin, proxy].map((server) => new Promise((resolve) => server.close(resolve))));
});

// Runs the scenario with each client in turn (the hops' log is per client), ports masked.
async function differential(scenario: (client: Client, trace: unknown[][]) => Promise<void>): Promise<unknown[][]> {
  const traces: unknown[][][] = [];
  for (const client of clients) {
    log = [];
    const trace: unknown[][] = [];
    await scenario(client, trace);
    traces.push(JSON.parse(JSON.stringify([...trace, ...log]).split(String(originPort)).join('<origin>').split(String(proxyPort)).join('<proxy>')));
  }
  expect(traces[1]).toEqual(traces[0]);
  return traces[0];
}

function exchange(client: Client, trace: unknown[][], tag: string, options: http.RequestOptions): Promise<void> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = client.request({ host: '127.0.0.1', port: originPort, ...options }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          trace.push([tag, res.statusCode, res.headers['x-via'] ?? 'direct', body, req.reusedSocket, req.path]);
          resolve();
        });
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      trace.push([tag, 'throws', e.code, e.message]);
      resolve();
      return;
    }
    req.on('error', (err: NodeJS.ErrnoException) => {
      trace.push([tag, 'error', err.code]);
      resolve();
    });
    req.end();
  });
}

const proxyUrl = () => `http://user:p%40ss@127.0.0.1:${proxyPort}`;

test('an agent with proxyEnv sends plain-http requests through the proxy, in absolute-form with its fields, and reuses the connection', async () => {
  const trace = await differential(async (client, trace) => {
    const agent = new client.Agent({ keepAlive: true, proxyEnv: { HTTP_PROXY: proxyUrl() } } as http.AgentOptions);
    await exchange(client, trace, 'a', { agent, path: '/a?x=1', auth: 'origin:secret' });
    await exchange(client, trace, 'b', { agent, path: '/b', method: 'POST', headers: { 'content-length': '0' } });
    await exchange(client, trace, 'array headers', { agent, path: '/c', headers: ['X-Array', '1'] as unknown as http.OutgoingHttpHeaders });
    agent.destroy();
  });
  if (hasAgentProxySupport) {
    expect(trace).toContainEqual(['proxy', 'GET', 'http://127.0.0.1:<origin>/a?x=1', '127.0.0.1:<origin>', 'keep-alive', `Basic ${Buffer.from('user:p@ss').toString('base64')}`, `Basic ${Buffer.from('origin:secret').toString('base64')}`, 'keep-alive']);
    expect(trace).toContainEqual(['b', 200, 'proxy', 'origin /b', true, 'http://127.0.0.1:<origin>/b']);
  } else {
    expect(trace).toContainEqual(['a', 200, 'direct', 'origin /a?x=1', false, '/a?x=1']);
  }
});

test('NO_PROXY: hosts, host:port, .suffix, * and IPv4 ranges go direct; without keep-alive the proxy is told close', async () => {
  const cases: Array<[string, string, string]> = [
    ['listed host', '127.0.0.1', '127.0.0.1'],
    ['listed host:port', '127.0.0.1:<origin>', '127.0.0.1'],
    ['other port', '127.0.0.1:1', '127.0.0.1'],
    ['star', '*', '127.0.0.1'],
    ['range', '127.0.0.0-127.0.0.255', '127.0.0.1'],
    ['range outside', '10.0.0.0-10.0.0.255', '127.0.0.1'],
    // 22 matches a leading-dot entry at any string end; 24.16 and 26.1 at a label boundary.
    ['.suffix not at a label', '.calhost', 'localhost'],
    ['.suffix is the host', '.localhost', 'localhost'],
    ['*.suffix', '*.host', 'localhost'],
    ['other host', 'example.com, other.test', 'localhost'],
  ];
  const trace = await differential(async (client, trace) => {
    for (const [tag, noProxy, host] of cases) {
      const agent = new client.Agent({ proxyEnv: { http_proxy: proxyUrl(), NO_PROXY: noProxy.replace('<origin>', String(originPort)) } } as http.AgentOptions);
      await exchange(client, trace, tag, { agent, host, path: `/${tag.replace(/\W/g, '-')}` });
      agent.destroy();
    }
  });
  if (hasAgentProxySupport) {
    expect(trace).toContainEqual(['listed host', 200, 'direct', 'origin /listed-host', false, '/listed-host']);
    expect(trace).toContainEqual(expect.arrayContaining(['proxy', 'GET', 'http://127.0.0.1:<origin>/other-port', 'close']));
  }
});

test("a proxied request's Host and absolute-form path: as the line's node (24.19 and 26.5 check them against the options' authority)", async () => {
  const trace = await differential(async (client, trace) => {
    const agent = new client.Agent({ proxyEnv: { HTTP_PROXY: `http://127.0.0.1:${proxyPort}` } } as http.AgentOptions);
    const base = `http://127.0.0.1:${originPort}`;
    await exchange(client, trace, 'host of another site', { agent, path: '/h', headers: { host: 'elsewhere.test' } });
    await exchange(client, trace, 'host of the authority, other case', { agent, path: '/h2', headers: { Host: `127.0.0.1:${originPort}` } });
    await exchange(client, trace, 'absolute path', { agent, path: `${base}/abs?q` });
    await exchange(client, trace, 'absolute path to another host', { agent, path: 'http://elsewhere.test/x' });
    await exchange(client, trace, 'absolute path with userinfo', { agent, path: `http://u:p@127.0.0.1:${originPort}/x` });
    await exchange(client, trace, 'absolute https path', { agent, path: `https://127.0.0.1:${originPort}/x` });
    await exchange(client, trace, 'path without a slash', { agent, path: 'x' });
    await exchange(client, trace, 'OPTIONS *', { agent, path: '*', method: 'OPTIONS' });
    await exchange(client, trace, 'array Host of another site', { agent, path: '/ah', headers: ['Host', 'elsewhere.test'] as unknown as http.OutgoingHttpHeaders });
    await exchange(client, trace, 'duplicate array Host', { agent, path: '/dh', headers: ['Host', 'a', 'host', 'b'] as unknown as http.OutgoingHttpHeaders });
    agent.destroy();
  });
  expect(trace.length).toBeGreaterThan(10);
});

test("util.inspect of an agent with a proxy, and an invalid proxy URL's error", () => {
  const env = () => ({ HTTP_PROXY: 'http://user:pw@127.0.0.1:3128', NO_PROXY: 'a, .b' });
  const [node, ours] = clients.map((client) => util.inspect(new client.Agent({ proxyEnv: env() } as http.AgentOptions), { depth: 4 }));
  expect(ours).toBe(node);
  if (hasAgentProxySupport) expect(node).toContain('ProxyConfig');
  for (const url of ['http://user:pw@[bad', 'http://x\r\n:1', 'socks5://127.0.0.1:1', 'http://[::1]:3128']) {
    const [n, u] = clients.map((client) => {
      try {
        return util.inspect(new client.Agent({ proxyEnv: { HTTP_PROXY: url } } as http.AgentOptions), { depth: 4 });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return [e.name, e.code, e.message, e.constructor.name];
      }
    });
    expect(u).toEqual(n);
  }
});

// The global agent takes the environment only under NODE_USE_ENV_PROXY=1 (or --use-env-proxy),
// read once at startup: a child process per setting.
test('NODE_USE_ENV_PROXY=1: http.request without an agent goes through HTTP_PROXY; without it, direct', async () => {
  const script = `
    const http = require('node:http');
    const uvhttp = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist'))});
    const util = require('node:util');
    const get = (request) => new Promise((resolve) => {
      request({ host: '127.0.0.1', port: ${originPort}, path: '/global' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c)).on('end', () => resolve([res.statusCode, res.headers['x-via'] || 'direct', body]));
      }).on('error', (e) => resolve(['error', e.code])).end();
    });
    (async () => {
      const out = [];
      for (const [name, lib] of [['node', http], ['uvhttp', uvhttp]]) {
        out.push([name, await get(lib.request), util.inspect(lib.globalAgent.options, { depth: 0 }).includes('proxyEnv')]);
        lib.globalAgent.destroy();
      }
      console.log(JSON.stringify(out));
    })();`;
  const run = (extra: Record<string, string>): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], {
        env: { ...process.env, HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: '', ...extra },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.on('error', reject);
      child.on('close', () => resolve(JSON.parse(out)));
    });
  for (const setting of [{ NODE_USE_ENV_PROXY: '1' }, { NODE_USE_ENV_PROXY: '0' }]) {
    const [[, node, nodeHasOption], [, ours, oursHasOption]] = (await run(setting)) as Array<[string, unknown, boolean]>;
    expect([ours, oursHasOption]).toEqual([node, nodeHasOption]);
    if (setting.NODE_USE_ENV_PROXY === '1' && hasAgentProxySupport) expect(node).toEqual([200, 'proxy', 'origin /global']);
    else expect(node).toEqual([200, 'direct', 'origin /global']);
  }
});

// http.setGlobalProxyFromEnv(env) (Node 24, 26): the global agent goes through the proxy until
// the returned function puts it back. Each side in a child of its own, node:http's first.
test('setGlobalProxyFromEnv: as node:http, where the line has it (its checks, the global agent through the proxy, restore)', async () => {
  const script = (lib: string) => `
    const http = require('node:http');
    const lib = ${lib};
    const util = require('node:util');
    const get = () => new Promise((resolve) => {
      lib.request({ host: '127.0.0.1', port: ${originPort}, path: '/set' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c)).on('end', () => resolve([res.statusCode, res.headers['x-via'] || 'direct', body]));
      }).on('error', (e) => resolve(['error', e.code])).end();
    });
    const thrown = (fn) => { try { fn(); return 'no error'; } catch (e) { return [e.name, e.code, e.message]; } };
    (async () => {
      const out = [typeof lib.setGlobalProxyFromEnv];
      if (typeof lib.setGlobalProxyFromEnv === 'function') {
        out.push(lib.setGlobalProxyFromEnv.length);
        out.push(thrown(() => lib.setGlobalProxyFromEnv('x')), thrown(() => lib.setGlobalProxyFromEnv({ HTTP_PROXY: 'http://u:p@[bad' })));
        out.push(typeof lib.setGlobalProxyFromEnv({}));
        const before = lib.globalAgent;
        const restore = lib.setGlobalProxyFromEnv({ HTTP_PROXY: 'http://127.0.0.1:${proxyPort}' });
        out.push(lib.globalAgent === before, util.inspect(lib.globalAgent, { depth: 3 }), await get());
        lib.globalAgent.destroy();
        restore();
        out.push(lib.globalAgent === before, await get(), http.globalAgent === before || ${lib === 'http' ? 'true' : 'http.globalAgent !== lib.globalAgent'});
        lib.globalAgent.destroy();
      }
      console.log(JSON.stringify(out));
    })();`;
  const run = (lib: string): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script(lib)], { env: { ...process.env, NODE_USE_ENV_PROXY: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.on('error', reject);
      child.on('close', () => resolve(JSON.parse(out)));
    });
  const node = await run('http');
  const ours = await run(`require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist'))})`);
  expect(ours).toEqual(node);
  if (node[0] === 'function') expect(node).toContainEqual([200, 'proxy', 'origin /set']);
});
