// Facts about the Node release line the tests run on (scripts/test-node-line.sh runs them on
// each line of test/node-lines.json), for the few expectations that differ between lines.
export const nodeMajor = Number(process.versions.node.split('.')[0]);

const [llhttpMajor, llhttpMinor] = (process.versions.llhttp ?? '0.0').split('.').map(Number);
/** llhttp 9.4 (Node 22+) reads a trailing HTAB in Content-Length and Connection as OWS. */
export const llhttpTrailingHtabIsOws = llhttpMajor > 9 || (llhttpMajor === 9 && llhttpMinor >= 4);
