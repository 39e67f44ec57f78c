// `node dist/bench/rss-main.js <tblens args>`: the CLI as bin/tblens.js runs it, reporting its own peak
// RSS (KiB) and CPU time (µs) on stderr at exit — Node gives no child's rusage to its parent, so the child says it.
import { main } from '../src/cli/main.js';

process.on('exit', () => {
  const u = process.resourceUsage();
  // CPU time next to peak memory: on a shared machine the wall time says more about the neighbours.
  process.stderr.write(`@@maxrss ${u.maxRSS}\n@@cpu ${u.userCPUTime + u.systemCPUTime}\n`);
});
process.exitCode = await main(process.argv.slice(2));
