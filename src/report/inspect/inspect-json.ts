import { randomBytes } from 'node:crypto';
import type { OptimizerInfo } from '../../identity/identity.js';
import type { TextOutput } from '../output.js';
import { healthJson, jsonNumber, weightsStatus, type InspectedFile } from './inspect-model.js';

/** `tblens inspect --format json`: everything read, numbers kept, NaN/Inf spelled as strings. */
export function inspectJson(files: InspectedFile[]): string {
  return JSON.stringify({ files: files.map(fileJson) }, replacer, 2) + '\n';
}

/**
 * The same document as `inspectJson`, byte for byte, written piece by piece: a file with 10⁶
 * tensors makes a JSON text beyond V8's string limit (RangeError after 3 GB), so the per-module and
 * per-tensor arrays go out one element at a time and nothing larger than one file's head is built.
 */
export async function writeInspectJson(files: InspectedFile[], out: TextOutput): Promise<void> {
  if (files.length === 0) return out.write('{\n  "files": []\n}\n');
  await out.write('{\n  "files": [');
  for (const [i, f] of files.entries()) {
    await out.write(i === 0 ? '\n    ' : ',\n    ');
    await writeFileJson(fileJson(f), out);
  }
  await out.write('\n  ]\n}\n');
}

/** Indent of a file object's lines inside `files`, and of an element inside its arrays. */
const FILE_PAD = '    ';
const ELEMENT_PAD = FILE_PAD + '    ';

async function writeFileJson(obj: ReturnType<typeof fileJson>, out: TextOutput): Promise<void> {
  if (!('modules' in obj)) return out.write(indent(JSON.stringify(obj, replacer, 2), FILE_PAD));
  const arrays = { modules: obj.modules as unknown[], tensors: obj.tensors as unknown[] };
  // A random mark where each array goes: a metadata string cannot know it in advance.
  const mark = `tblens-stream-${randomBytes(8).toString('hex')}`;
  const head = indent(JSON.stringify({ ...obj, modules: `${mark}-modules`, tensors: `${mark}-tensors` }, replacer, 2), FILE_PAD);
  const parts = head.split(new RegExp(`"${mark}-(modules|tensors)"`));
  await out.write(parts[0]);
  for (let i = 1; i < parts.length; i += 2) {
    const items = arrays[parts[i] as keyof typeof arrays];
    if (items.length === 0) await out.write('[]');
    else {
      await out.write('[');
      for (const [j, item] of items.entries())
        await out.write(`${j === 0 ? '\n' : ',\n'}${ELEMENT_PAD}${indent(JSON.stringify(item, replacer, 2), ELEMENT_PAD)}`);
      await out.write(`\n${FILE_PAD}  ]`);
    }
    await out.write(parts[i + 1]);
  }
}

function indent(json: string, pad: string): string {
  return json.replace(/\n/g, `\n${pad}`);
}

function fileJson(f: InspectedFile) {
  if (!f.ok) return { path: f.path, ok: false, error: f.error };
  const { summary: s, details: d } = f;
  return {
    path: f.path,
    ok: true,
    status: weightsStatus(s),
    summary: s,
    fileSize: d.fileSize,
    headerLength: d.headerLength,
    hash: d.hash ?? null,
    warnings: d.warnings,
    metadata: d.parsedMetadata,
    total: healthJson(d.total),
    blocks: d.blocks.map((b) => ({
      block: b.block,
      group: b.group,
      modules: b.modules,
      tensors: b.tensors,
      upTensors: b.upTensors,
      zeroUpTensors: b.zeroUpTensors,
      health: healthJson(b.health),
      up: healthJson(b.up),
      deltaNormMedian: jsonNumber(b.deltaNormMedian),
      deltaNormMax: jsonNumber(b.deltaNormMax),
    })),
    modules: d.modules.map((m) => ({
      name: m.name,
      family: m.family,
      block: m.block,
      group: m.group,
      parts: m.parts,
      conv: m.conv,
      tucker: m.tucker,
      dora: m.dora,
      rank: m.rank ?? null,
      alpha: jsonNumber(m.alpha),
      scale: jsonNumber(m.scale),
      deltaNorm: jsonNumber(m.deltaNorm),
      normNote: m.normNote ?? null,
      upZero: m.upZero,
      health: healthJson(m.health),
    })),
    tensors: d.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, ...healthJson(t.health) })),
  };
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (isOptimizer(value)) return { name: value.name, module: value.module, args: value.args, raw: value.raw };
  return value;
}

function isOptimizer(v: unknown): v is OptimizerInfo {
  return typeof v === 'object' && v !== null && 'raw' in v && 'args' in v && 'module' in v;
}
