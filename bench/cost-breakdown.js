'use strict';
// Where a server's instructions per request go, by part of the stack: reads the callgrind file
// that bench/instructions.js wrote (run it with INSTRUCTIONS_NODE_FLAGS=--perf-basic-prof, so
// that V8's /tmp/perf-<pid>.map names the JIT code) and sums each function's own (exclusive)
// instructions into the parts below. User space only: the kernel's share is not in callgrind.
//
//   node bench/cost-breakdown.js CALLGRIND_FILE REQUESTS [TOP]
//     REQUESTS  the requests the file counted (bench/instructions.js prints "measured")
//     TOP       functions listed under each part (default 5)
//
// Prints a markdown table (part, instructions per request, share) and each part's top functions.
const fs = require('fs');

const [file, requestsArg, topArg = '5'] = process.argv.slice(2);
if (!file || !requestsArg) {
  console.error('usage: node bench/cost-breakdown.js CALLGRIND_FILE REQUESTS [TOP]');
  process.exit(2);
}
const requests = Number(requestsArg);
const top = Number(topArg);
const text = fs.readFileSync(file, 'utf8');

// The JIT code's names, from V8's perf map: "<hex start> <hex size> <name>". A later line for
// the same range wins (code moved or replaced).
const pid = /^pid: (\d+)/m.exec(text)?.[1];
const jit = [];
const mapFile = `/tmp/perf-${pid}.map`;
if (fs.existsSync(mapFile)) {
  for (const line of fs.readFileSync(mapFile, 'utf8').split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (match) jit.push({ start: parseInt(match[1], 16), end: parseInt(match[1], 16) + parseInt(match[2], 16), name: match[3] });
  }
}
function jitName(address) {
  for (let i = jit.length - 1; i >= 0; i--) {
    if (address >= jit[i].start && address < jit[i].end) return jit[i].name;
  }
  return null;
}

// Own cost per (object, function). Callgrind's format: "ob=", "fn=" set the current function
// (names compressed as "(id) name" the first time, "(id)" after); a "calls=" line is followed by
// one cost line that is the callee's inclusive cost, not the caller's own.
const names = { ob: new Map(), fn: new Map() };
function expand(kind, value) {
  const match = /^\((\d+)\)(?: (.*))?$/.exec(value);
  if (!match) return value;
  if (match[2] !== undefined) names[kind].set(match[1], match[2]);
  return names[kind].get(match[1]);
}
const own = new Map();
let ob = '';
let fn = '';
let skipNext = false;
for (const line of text.split('\n')) {
  if (line.startsWith('ob=')) ob = expand('ob', line.slice(3));
  else if (line.startsWith('fn=')) fn = expand('fn', line.slice(3));
  else if (line.startsWith('cob=')) expand('ob', line.slice(4));
  else if (line.startsWith('cfn=')) expand('fn', line.slice(4));
  else if (line.startsWith('calls=')) skipNext = true;
  else if (/^[+-]?\d/.test(line)) {
    if (skipNext) {
      skipNext = false;
      continue;
    }
    const cost = Number(line.split(' ')[1] ?? 0);
    const key = `${ob}\t${fn}`;
    own.set(key, (own.get(key) ?? 0) + cost);
  }
}

const GC = /Heap|Scaveng|MarkCompact|Marking|Sweep|IterateObjectCache|Evacuat|GCTracer|RememberedSet|SlotSet|Worklist|MinorMC|MemoryChunk|PagedSpace|NewSpace|SemiSpace|LargeObjectSpace|RootVisitor|ObjectVisitor|Scavenger|WeakObjects|GlobalHandles|TracedHandles|EmbedderStackState|CppHeap|cppgc/;
const BOUNDARY = /^(napi_|v8impl|node::CallbackScope|node::InternalCallbackScope|node::InternalMakeCallback|node::MakeCallback|node::Environment::(?:RunAndClearNativeImmediates|CheckImmediate)|v8::(?:CallDepthScope|Function|Object|String|Value|Number|Integer|Boolean|Array|ArrayBuffer|Uint8Array|TypedArray|External|Local|EscapableHandleScope|HandleScope|Context|Isolate|Private|Symbol|Exception|TryCatch|Utils|Persistent|api_internal|internal::HandleScope|internal::(?:\(anonymous namespace\)::)?Invoke|internal::Execution)|Builtins_(?:JSEntry|JSEntryTrampoline|JSConstructEntry|CallFunction_|Call_|CallApiCallback|HandleApiCall|InterpreterEntry|JSBuiltinsConstructStub|JSConstructStubGeneric))/;

// The part of the stack a function belongs to: by object file, then by name.
function partOf(object, name) {
  if (/uvhttp\.node$/.test(object)) return /HttpParser::/.test(name) ? 'uvhttp native: parser' : 'uvhttp native: connection, writes, bridge';
  if (/libc\.so|libstdc\+\+|libm\.so|ld-linux|libgcc/.test(object)) return 'C library (memcpy, malloc, syscall wrappers)';
  if (/^0x[0-9a-f]+$/.test(name)) {
    const js = jitName(parseInt(name, 16));
    if (js === null) return 'JIT code without a name';
    if (/^Builtin:/.test(js)) return 'V8 builtins (property access, allocation, strings, calls)';
    if (/RegExp:/.test(js)) return 'JS: regular expressions';
    if (/node_modules\/(?!uvhttp\/)|bench\/servers/.test(js)) return 'JS: the app (handler, Express and its modules)';
    if (/\/dist\//.test(js)) return 'JS: uvhttp (lib/)';
    if (/ node:|^[A-Za-z]+:[*~^]?\S* node:/.test(js)) return 'JS: Node core (streams, events, timers, http)';
    return 'JS: other';
  }
  if (/^uv_|^uv__/.test(name)) return 'libuv';
  if (GC.test(name)) return 'V8 garbage collection';
  if (BOUNDARY.test(name)) return 'calls across the JS boundary (N-API, callback scopes, V8 API)';
  if (/^Builtins_/.test(name)) return 'V8 builtins (property access, allocation, strings, calls)';
  if (/^node::|^node_/.test(name) || /llhttp/.test(name)) return /llhttp/.test(name) ? 'llhttp (node:http parser)' : 'Node C++ (bindings, stream wrap, timers)';
  if (/^v8::internal::String|^v8::String|WriteToFlat|Utf8|CopyChars|NewRawOneByteString|NewConsString/.test(name)) return 'V8 strings (flatten, encode)';
  if (/compiler::|maglev|Maglev|turboshaft|OptimizedCompilationJob|Compiler::|Deoptimiz/.test(name)) return 'V8 optimizing compiler (background thread)';
  return 'V8 runtime (other)';
}

const parts = new Map();
let total = 0;
for (const [key, cost] of own) {
  const [object, name] = key.split('\t');
  const part = partOf(object, name);
  const entry = parts.get(part) ?? { cost: 0, functions: new Map() };
  entry.cost += cost;
  const label = /^0x[0-9a-f]+$/.test(name) ? (jitName(parseInt(name, 16)) ?? name) : name;
  entry.functions.set(label, (entry.functions.get(label) ?? 0) + cost);
  parts.set(part, entry);
  total += cost;
}

const perRequest = (cost) => Math.round(cost / requests).toLocaleString('en-US');
const sorted = [...parts].sort((a, b) => b[1].cost - a[1].cost);
console.log(`${file}: ${perRequest(total)} instructions per request (${requests} requests)\n`);
console.log('| part | instructions/request | share |');
console.log('|---|---:|---:|');
for (const [part, entry] of sorted) console.log(`| ${part} | ${perRequest(entry.cost)} | ${((100 * entry.cost) / total).toFixed(1)}% |`);
console.log('');
for (const [part, entry] of sorted) {
  console.log(`${part}:`);
  const functions = [...entry.functions].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, cost] of functions) console.log(`  ${perRequest(cost).padStart(7)}  ${name.slice(0, 140)}`);
}
