'use strict';
// Preloaded (node --expose-gc -r bench/servers/gc-on-signal.js SERVER) by the idle-memory
// measurement: on SIGUSR2 the server runs a full garbage collection and prints "GC <n>", so that
// the RSS sampled next is what the server holds, not garbage it has not collected yet.
let n = 0;
process.on('SIGUSR2', () => {
  global.gc();
  process.stdout.write(`GC ${++n}\n`);
});
