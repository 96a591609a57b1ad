'use strict';
// How every Node-API bench server listens: on `where` (default: PORT or an ephemeral port on
// 127.0.0.1), prints "LISTENING <port>" (what bench/run.sh waits for), and closes on SIGTERM or
// SIGINT.
module.exports = function listen(server, where = { port: Number(process.env.PORT || 0), host: '127.0.0.1' }) {
  server.listen(where, () => {
    process.stdout.write(`LISTENING ${server.address().port}\n`);
  });
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
};
