'use strict';
// bench/RESULTS.md holds one section per benchmark (the server's, the client's), each between
// its own markers, so that each benchmark rewrites its section and leaves the others.
const fs = require('node:fs');

function writeSection(file, name, text) {
  const begin = `<!-- ${name}: begin -->`;
  const end = `<!-- ${name}: end -->`;
  const block = `${begin}\n${text.trimEnd()}\n${end}\n`;
  let current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  if (from >= 0 && to > from) {
    current = current.slice(0, from) + block + current.slice(to + end.length + 1);
  } else if (name === 'server' && current && !current.includes('<!-- ')) {
    // A report written before there were sections: it was the server's.
    current = block;
  } else {
    current = current ? `${current.trimEnd()}\n\n${block}` : block;
  }
  fs.writeFileSync(file, current);
}

module.exports = { writeSection };
