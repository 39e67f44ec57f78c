import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execQueue } from './watch-exec.js';

const dir = mkdtempSync(join(tmpdir(), 'tblens-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--exec bound', () => {
  it('runs at most N real commands at once, queues the rest and says so once per burst', async () => {
    // Each child marks itself running with a file, reports how many marks it sees, waits, then unmarks.
    const script = join(dir, 'child.cjs');
    writeFileSync(
      script,
      `const fs = require('fs'), path = require('path');
const d = process.argv[2], me = path.join(d, 'running-' + process.pid);
fs.writeFileSync(me, '');
console.log(fs.readdirSync(d).filter((n) => n.startsWith('running-')).length);
setTimeout(() => fs.unlinkSync(me), 400);`,
    );
    const queued: number[] = [];
    const run = execQueue(2, (running) => queued.push(running));
    const seen: number[] = [];
    const command = `"${process.execPath}" "${script}" "${dir}"`;
    const results = await Promise.all(Array.from({ length: 7 }, () => run(command, '', {}, (line) => seen.push(Number(line)))));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(seen).toHaveLength(7);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    expect(queued).toEqual([2]);
  });
});
