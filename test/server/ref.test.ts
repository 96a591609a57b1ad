// server.ref()/unref() and socket.ref()/unref() decide whether the process may exit, as on
// node:http: the same script runs in a child process against each implementation, and whether
// the child exits by itself (or is still alive when we stop waiting) must match.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = process.env.UVHTTP_TEST_ROOT || path.resolve(__dirname, '..', '..');
// UVHTTP_TEST_TIME_SCALE: slower machines (scripts/test-arm64.sh runs Node under qemu, where a
// bare node takes about 2.5 s to start) wait longer before calling a child alive.
const ALIVE_AFTER_MS = 1500 * Number(process.env.UVHTTP_TEST_TIME_SCALE || 1);

type Outcome = 'exited' | 'alive';

function run(moduleName: string, body: string): Promise<Outcome> {
  const script = `const http = require(${JSON.stringify(moduleName)});\nconst net = require('net');\n${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('alive');
    }, ALIVE_AFTER_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === null) return;
      if (code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve('exited');
    });
  });
}

const scenarios: Array<[string, string, Outcome]> = [
  ['listening server, unref()', `http.createServer().listen(0, '127.0.0.1', function () { this.unref(); });`, 'exited'],
  ['unref() before listen()', `http.createServer().unref().listen(0, '127.0.0.1');`, 'exited'],
  ['unref() then ref()', `http.createServer().listen(0, '127.0.0.1', function () { this.unref().ref(); });`, 'alive'],
  [
    'unref() server with an open connection',
    `const server = http.createServer().listen(0, '127.0.0.1', () => {
       server.unref();
       net.connect(server.address().port, '127.0.0.1').unref();
     });`,
    'alive',
  ],
  [
    'unref() server and both ends of a connection',
    `const server = http.createServer().listen(0, '127.0.0.1', () => {
       server.unref();
       net.connect(server.address().port, '127.0.0.1').unref();
     });
     server.on('connection', (socket) => socket.unref());`,
    'exited',
  ],
  [
    'socket unref() then ref()',
    `const server = http.createServer().listen(0, '127.0.0.1', () => {
       server.unref();
       net.connect(server.address().port, '127.0.0.1').unref();
     });
     server.on('connection', (socket) => socket.unref().ref());`,
    'alive',
  ],
];

describe.each(scenarios)('%s', (_name, body, expected) => {
  test('node:http and uvhttp agree', async () => {
    const [node, uv] = await Promise.all([run('node:http', body), run(ROOT, body)]);
    expect(node).toBe(expected);
    expect(uv).toBe(node);
  });
});
