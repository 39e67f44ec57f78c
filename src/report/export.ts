import type { Run } from '../runs/types.js';
import type { TextOutput } from './output.js';

export type ExportFormat = 'csv' | 'json' | 'jsonl';

/** One exported run: its name and scalar series (already filtered). */
export interface ExportRun {
  name: string;
  run: Run;
}

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** JSON cannot hold NaN/±Inf: they are written as the strings "NaN", "Infinity", "-Infinity". */
function jsonNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : `"${String(x)}"`;
}

/** Rows sorted by run, then tag, then series order; numbers as JavaScript's String(number). */
export async function writeExport(runs: ExportRun[], format: ExportFormat, out: TextOutput): Promise<void> {
  const sorted = [...runs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (format === 'csv') await out.write('run,tag,step,wall_time,value\n');
  if (format === 'json') await out.write('{"version":1,"runs":[');
  let firstRun = true;
  for (const { name, run } of sorted) {
    if (format === 'json') {
      await out.write(`${firstRun ? '' : ','}{"run":${JSON.stringify(name)},"series":[`);
      firstRun = false;
    }
    let firstTag = true;
    for (const [tag, s] of run.scalars) {
      if (format === 'csv') {
        const prefix = `${csvField(name)},${csvField(tag)},`;
        let chunk = '';
        for (let i = 0; i < s.length; i++) {
          chunk += `${prefix}${s.steps[i]},${s.wallTimes[i]},${s.values[i]}\n`;
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
        const col = (a: Float64Array) => Array.from(a, jsonNumber).join(',');
        await out.write(`${firstTag ? '' : ','}{"tag":${JSON.stringify(tag)},"step":[${col(s.steps)}],"wall_time":[${col(s.wallTimes)}],"value":[${col(s.values)}]}`);
        firstTag = false;
      }
    }
    if (format === 'json') await out.write(']}');
  }
  if (format === 'json') await out.write(']}\n');
}
