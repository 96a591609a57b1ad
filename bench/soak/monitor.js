'use strict';
// The server process's resident memory, open descriptors and CPU time, read from /proc (Linux):
// VmRSS from /proc/<pid>/status, the entries of /proc/<pid>/fd, utime+stime from
// /proc/<pid>/stat (in USER_HZ ticks, 100 a second on Linux). Null once the process is gone.
const fs = require('fs');

const TICKS_PER_SECOND = 100;

function sampleProcess(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime is 14.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    return { rssMB: rss ? Number(rss[1]) / 1024 : NaN, fds, cpuSeconds };
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return null;
    throw error;
  }
}

module.exports = { sampleProcess };
