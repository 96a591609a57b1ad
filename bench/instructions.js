'use strict';
// Instructions per request of one bench server, counted by callgrind: a measure that does not
// move when the machine is busy (bench/run.sh's CPU time does). User-space instructions of the
// whole server process (all threads); the kernel's share (read, write, epoll) is not counted.
//
//   node bench/instructions.js [module] [kind] [depth] [warm-up] [measured]
//     module    what the server require()s: the uvhttp package path (default: this checkout)
//               or node:http
//     kind      get (bench/servers/hello.js, scenario a/b), browser (hello.js with the 25
//               request headers of bench/wrk.lua, scenario e), post4k (bench/servers/echo.js, d),
//               close (hello.js, a GET with `Connection: close` on a new connection each, c),
//               express (bench/servers/express.js, run under the module's dist/register.js as
//               bench/run.sh runs it)
//     depth     requests per write (16: scenario b)                           (default 1)
//     warm-up   requests before counting starts: V8 must have optimized the hot path
//                                                                             (default 30000)
//     measured  requests counted                                             (default 20000)
// INSTRUCTIONS_NODE_FLAGS: extra node flags for the server (--perf-basic-prof names the JIT
// code for callgrind_annotate through /tmp/perf-<pid>.map). The callgrind file stays in
// ${TMPDIR:-/tmp}/uvhttp-instructions.<pid>.*; one JSON line is printed.
//
// The server runs under valgrind with instrumentation off; a loopback client on 4 keep-alive
// connections sends the warm-up, vgdb turns instrumentation on, the client sends the measured
// requests, vgdb dumps. Needs valgrind (`bash scripts/apt-install.sh valgrind`).
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const [moduleArg = ROOT, kind = 'get', depthArg = '1', warmArg = '30000', measuredArg = '20000'] = process.argv.slice(2);
// A relative package path is the caller's (the server resolves it from bench/servers/).
const mod = moduleArg.startsWith('.') ? path.resolve(moduleArg) : moduleArg;
const depth = Number(depthArg);
const CONNECTIONS = 4;
const SCRIPTS = { get: 'hello.js', browser: 'hello.js', post4k: 'echo.js', close: 'hello.js', express: 'express.js' };
if (!SCRIPTS[kind]) {
  console.error(`unknown kind ${kind}: ${Object.keys(SCRIPTS).join(', ')}`);
  process.exit(2);
}
const script = path.join(__dirname, 'servers', SCRIPTS[kind]);
// Express takes its http from require('node:http'): uvhttp comes in through the register shim.
const preload = kind === 'express' && mod !== 'node:http' ? ['-r', path.join(mod, 'dist', 'register.js')] : [];

// The browser request's fields, as bench/wrk.lua sends them (one list for both).
function browserFields() {
  const lua = fs.readFileSync(path.join(__dirname, 'wrk.lua'), 'utf8');
  const table = lua.slice(lua.indexOf('local BROWSER = {'), lua.indexOf('\n}\n'));
  const fields = [];
  for (const match of table.matchAll(/\{'([^']+)', '((?:[^'\\]|\\.)*)'\}/g)) fields.push(`${match[1]}: ${match[2]}\r\n`);
  return fields.join('');
}

function requestBytes(port) {
  let request = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
  if (kind === 'post4k') {
    request = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\nContent-Length: 4096\r\n\r\n${'x'.repeat(4096)}`;
  } else if (kind === 'close') {
    request = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
  } else if (kind === 'browser') {
    request = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${browserFields()}\r\n`;
  }
  return Buffer.from(request.repeat(depth), 'latin1');
}

// Sends `total` requests, `depth` per write, each connection waiting for its answers before it
// writes again; resolves with the responses counted (framed by Content-Length or chunked). For
// `close` each connection carries one request and the server closes it; a new one replaces it.
function load(port, total) {
  const request = requestBytes(port);
  return new Promise((resolve) => {
    let sent = 0;
    let answered = 0;
    let open = 0;
    const connect = () => {
      open++;
      const socket = net.connect(port, '127.0.0.1');
      let buffered = Buffer.alloc(0);
      let waiting = 0;
      const next = () => {
        if (sent >= total || (kind === 'close' && socket.bytesWritten > 0)) {
          return socket.end();
        }
        sent += depth;
        waiting += depth;
        socket.write(request);
      };
      socket.on('connect', next);
      socket.on('data', (data) => {
        buffered = buffered.length > 0 ? Buffer.concat([buffered, data]) : data;
        for (;;) {
          const headEnd = buffered.indexOf('\r\n\r\n');
          if (headEnd < 0) break;
          const length = /content-length: *(\d+)/i.exec(buffered.toString('latin1', 0, headEnd));
          let end;
          if (length) {
            end = headEnd + 4 + Number(length[1]);
          } else {
            const last = buffered.indexOf('\r\n0\r\n\r\n', headEnd);
            if (last < 0) break;
            end = last + 7;
          }
          if (buffered.length < end) break;
          buffered = buffered.subarray(end);
          answered++;
          waiting--;
        }
        if (waiting === 0) next();
      });
      socket.on('close', () => {
        open--;
        if (kind === 'close' && sent < total) connect();
        else if (open === 0) resolve(answered);
      });
    };
    for (let c = 0; c < CONNECTIONS; c++) connect();
  });
}

function monitor(pid, command) {
  execFileSync('vgdb', [`--pid=${pid}`, ...command.split(' ')], { stdio: 'ignore' });
}

async function main() {
  const out = path.join(process.env.TMPDIR || os.tmpdir(), 'uvhttp-instructions.%p');
  const flags = process.env.INSTRUCTIONS_NODE_FLAGS ? process.env.INSTRUCTIONS_NODE_FLAGS.split(' ') : [];
  // valgrind.bin itself: the `valgrind` wrapper script would put its own pid between.
  const valgrind = fs.existsSync('/usr/bin/valgrind.bin') ? '/usr/bin/valgrind.bin' : 'valgrind';
  const server = spawn(valgrind, ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, process.execPath, ...flags, ...preload, script, mod], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A failure below must not leave the server running under valgrind.
  process.on('exit', () => server.kill('SIGKILL'));
  let errors = '';
  server.stderr.on('data', (data) => (errors += data));
  const port = await new Promise((resolve, reject) => {
    let text = '';
    server.stdout.on('data', (data) => {
      text += data;
      const match = /LISTENING (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    server.on('exit', () => reject(new Error(`server exited:\n${errors}`)));
  });
  await load(port, Number(warmArg));
  monitor(server.pid, 'instrumentation on');
  monitor(server.pid, 'zero');
  const measured = await load(port, Number(measuredArg));
  monitor(server.pid, 'dump');
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  const dumped = out.replace('%p', String(server.pid));
  // The dump has the measured requests alone (counting started at 'zero'); the file written at
  // exit has the shutdown.
  const file = `${dumped}.1`;
  const instructions = Number(/^totals: (\d+)/m.exec(fs.readFileSync(file, 'utf8'))?.[1] ?? NaN);
  console.log(JSON.stringify({ module: mod, kind, depth, measured, instructions, perRequest: Math.round(instructions / measured), pid: server.pid, file }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
