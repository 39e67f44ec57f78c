import type { Run } from '../runs/types.js';
import type { TextOutput } from './output.js';

export type ExportFormat = 'csv' | 'json' | 'jsonl';

/** One exported run: its name (the shared run-naming rule), its directory as shown, and its scalar series (already filtered). */
export interface ExportRun {
  name: string;
  /** The run directory, relative to the working directory when inside it (as the report's `runs[].path`). */
  path?: string;
  run: Run;
}

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** String(number), except that -0 keeps its sign (String(-0) is "0": the one value that would not round-trip). */
export function numText(x: number): string {
  return x === 0 && 1 / x < 0 ? '-0' : String(x);
}

/** JSON cannot hold NaN/±Inf: they are written as the strings "NaN", "Infinity", "-Infinity"; -0 as `-0` (valid JSON). */
function jsonNumber(x: number): string {
  return Number.isFinite(x) ? numText(x) : `"${String(x)}"`;
}

/** Rows sorted by run, then tag, then series order; numbers as JavaScript's String(number), -0 as `-0`. */
export async function writeExport(runs: ExportRun[], format: ExportFormat, out: TextOutput): Promise<void> {
  const sorted = [...runs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (format === 'csv') await out.write('run,tag,step,wall_time,value\n');
  if (format === 'json') await out.write('{"version":1,"runs":[');
  let firstRun = true;
  for (const { name, path, run } of sorted) {
    if (format === 'json') {
      await out.write(`${firstRun ? '' : ','}{"run":${JSON.stringify(name)},${path === undefined ? '' : `"path":${JSON.stringify(path)},`}"series":[`);
      firstRun = false;
    }
    let firstTag = true;
    for (const [tag, s] of run.scalars) {
      if (format === 'csv') {
        const prefix = `${csvField(name)},${csvField(tag)},`;
        let chunk = '';
        for (let i = 0; i < s.length; i++) {
          chunk += `${prefix}${numText(s.steps[i])},${numText(s.wallTimes[i])},${numText(s.values[i])}\n`;
          if (chunk.length > 1 << 16) {
            await out.write(chunk);
            chunk = '';
          }
        }
        await out.write(chunk);
      } else if (format === 'jsonl') {
        const prefix = `{"run":${JSON.stringify(name)},"tag":${JSON.stringify(tag)},`;
        let chunk = '';
        for (let i = 0; i < s.length; i++) {
          chunk += `${prefix}"step":${jsonNumber(s.steps[i])},"wall_time":${jsonNumber(s.wallTimes[i])},"value":${jsonNumber(s.values[i])}}\n`;
          if (chunk.length > 1 << 16) {
            await out.write(chunk);
            chunk = '';
          }
        }
        await out.write(chunk);
      } else {
        await out.write(`${firstTag ? '' : ','}{"tag":${JSON.stringify(tag)},"step":[`);
        await writeColumn(s.steps, s.length, out);
        await out.write('],"wall_time":[');
        await writeColumn(s.wallTimes, s.length, out);
        await out.write('],"value":[');
        await writeColumn(s.values, s.length, out);
        await out.write(']}');
        firstTag = false;
      }
    }
    if (format === 'json') await out.write(']}');
  }
  if (format === 'json') await out.write(']}\n');
}

/**
 * One column's numbers, comma-separated, written in chunks like the CSV rows: the whole column as
 * one string (and the array of strings it was joined from) is what made the JSON export of a
 * 500 MB log need 1.4 GB.
 */
async function writeColumn(column: ArrayLike<number>, length: number, out: TextOutput): Promise<void> {
  let chunk = '';
  for (let i = 0; i < length; i++) {
    chunk += i === 0 ? jsonNumber(column[i]) : `,${jsonNumber(column[i])}`;
    if (chunk.length > 1 << 16) {
      await out.write(chunk);
      chunk = '';
    }
  }
  await out.write(chunk);
}
