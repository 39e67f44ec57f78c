import { readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ConfigDocument, DatasetEntry } from './document.js';
import { numberAt } from './facts.js';
import { asBool, asText } from './values.js';

/** The image extensions sd-scripts globs (train_util.IMAGE_EXTENSIONS, any case; avif/jxl with their Pillow plugins). */
const IMAGE = /\.(png|jpe?g|webp|bmp|avif|jxl)$/i;

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function countImages(dir: string): Promise<number | undefined> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => (e.isFile() || e.isSymbolicLink()) && IMAGE.test(e.name)).length;
  } catch {
    return undefined;
  }
}

/** A path as the trainer may have meant it: absolute, else beside the config, else from the working directory. */
async function locate(path: string, configFile: string): Promise<string | undefined> {
  if (isAbsolute(path)) return (await isDir(path)) ? path : undefined;
  for (const candidate of [resolve(dirname(configFile), path), resolve(path)]) if (await isDir(candidate)) return candidate;
  return undefined;
}

/**
 * Micro-batches per epoch from the images on disk, when they are there: a dataset config's
 * subsets (image_dir × num_repeats, per dataset over its batch size), or train_data_dir's kohya
 * `<repeats>_<name>` folders over train_batch_size. Regularisation images change the count
 * (sd-scripts balances them against the training images), so a config with them is left uncounted.
 */
export async function countBatchesPerEpoch(doc: ConfigDocument, datasets?: DatasetEntry[]): Promise<void> {
  const bucketed = asBool(doc.settings.get('enable_bucket')?.value) === true;
  if (datasets && datasets.length > 0) {
    let batches = 0;
    const parts: string[] = [];
    for (const ds of datasets) {
      let samples = 0;
      for (const sub of ds.subsets) {
        if (sub.isReg || !sub.imageDir) return;
        const dir = await locate(sub.imageDir, doc.file);
        const n = dir ? await countImages(dir) : undefined;
        if (n === undefined) return;
        samples += n * sub.numRepeats;
        parts.push(`${n} images × ${sub.numRepeats} repeats`);
      }
      batches += Math.ceil(samples / Math.max(1, ds.batchSize));
    }
    doc.batchesPerEpoch = { value: batches, detail: `${parts.join(' + ')}, batch ${datasets.map((d) => d.batchSize).join('/')}`, lowerBound: bucketed };
    return;
  }
  if (asText(doc.settings.get('reg_data_dir')?.value)) return;
  const trainDir = asText(doc.settings.get('train_data_dir')?.value);
  if (!trainDir) return;
  const root = await locate(trainDir, doc.file);
  if (!root) return;
  let entries: string[];
  try {
    entries = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  let samples = 0;
  const parts: string[] = [];
  for (const name of entries.sort()) {
    const m = /^(\d+)_/.exec(name);
    if (!m) continue;
    const n = await countImages(join(root, name));
    if (n === undefined) return;
    samples += n * Number(m[1]);
    parts.push(`${name}: ${n} × ${m[1]}`);
  }
  if (parts.length === 0) return;
  const batch = numberAt(doc, 'train_batch_size')?.value ?? 1;
  doc.batchesPerEpoch = { value: Math.ceil(samples / Math.max(1, batch)), detail: `${parts.join(', ')}, batch ${batch}`, lowerBound: bucketed };
}
