// Weights scan speed: writes a ~150 MB fp16 LoRA-shaped file (SD1.5 layout at dim 128, like the
// 143 MB files kohya users share), then times readWeightsSummary next to a bare read of the same
// bytes in the same process. Target: the health scan at ≥ 500 MB/s.
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toHalfBits } from '../test/support/craft-safetensors.js';
import { readWeightsSummary, type ReadWeightsOptions } from '../src/weights/read-summary.js';

const RANK = 128;
const TARGET_BYTES = 150e6;
const TARGET_MBS = 500;
const CHUNK = 8 << 20;

interface Planned {
  name: string;
  shape: number[];
  bytes: number;
}

/** SD1.5 LoRA modules (text encoder, then U-Net attention blocks) repeated until the file reaches the target size. */
function plan(): Planned[] {
  const linear: [string, number, number][] = [];
  for (let l = 0; l < 12; l++) {
    const p = `lora_te_text_model_encoder_layers_${l}_`;
    for (const q of ['q', 'k', 'v', 'out']) linear.push([`${p}self_attn_${q}_proj`, 768, 768]);
    linear.push([`${p}mlp_fc1`, 768, 3072], [`${p}mlp_fc2`, 3072, 768]);
  }
  const blocks: [string, number][] = [
    ['down_blocks_0', 320],
    ['down_blocks_1', 640],
    ['down_blocks_2', 1280],
    ['mid_block', 1280],
    ['up_blocks_1', 1280],
    ['up_blocks_2', 640],
    ['up_blocks_3', 320],
  ];
  for (const [b, d] of blocks) {
    for (let a = 0; a < (b === 'mid_block' ? 1 : 2); a++) {
      const p = `lora_unet_${b}_attentions_${a}_`;
      linear.push([`${p}proj_in`, d, d], [`${p}proj_out`, d, d]);
      const t = `${p}transformer_blocks_0_`;
      for (const q of ['q', 'k', 'v']) linear.push([`${t}attn1_to_${q}`, d, d]);
      linear.push([`${t}attn1_to_out_0`, d, d], [`${t}attn2_to_q`, d, d], [`${t}attn2_to_k`, 768, d], [`${t}attn2_to_v`, 768, d], [`${t}attn2_to_out_0`, d, d]);
      linear.push([`${t}ff_net_0_proj`, d, d * 8], [`${t}ff_net_2`, d * 4, d]);
    }
  }
  const out: Planned[] = [];
  let total = 0;
  for (let copy = 0; total < TARGET_BYTES; copy++) {
    for (const [name, inDim, outDim] of linear) {
      const m = copy === 0 ? name : `${name}_copy${copy}`;
      out.push({ name: `${m}.alpha`, shape: [], bytes: 2 });
      out.push({ name: `${m}.lora_down.weight`, shape: [RANK, inDim], bytes: RANK * inDim * 2 });
      out.push({ name: `${m}.lora_up.weight`, shape: [outDim, RANK], bytes: outDim * RANK * 2 });
      total += 2 + RANK * (inDim + outDim) * 2;
      if (total >= TARGET_BYTES) break;
    }
  }
  return out;
}

async function writeFile(path: string, tensors: Planned[]): Promise<number> {
  // sshs_model_hash is filled in after the data is written (a placeholder of the same length first).
  const header: Record<string, unknown> = {
    __metadata__: { ss_network_dim: String(RANK), ss_network_alpha: String(RANK / 2), sshs_model_hash: '0'.repeat(64) },
  };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F16', shape: t.shape, data_offsets: [offset, offset + t.bytes] };
    offset += t.bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  // Plausible weights: small normals as fp16 bits, one buffer reused with shifting starts.
  const noise = new Uint16Array(1 << 20);
  let s = 12345;
  for (let i = 0; i < noise.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    noise[i] = toHalfBits(((s / 2 ** 32 - 0.5) * 0.04) as number);
  }
  const noiseBytes = new Uint8Array(noise.buffer);
  const hash = createHash('sha256');
  const fh = await open(path, 'w');
  try {
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(json.length));
    await fh.write(prefix);
    await fh.write(json);
    let k = 0;
    for (const t of tensors) {
      let left = t.bytes;
      while (left > 0) {
        const start = (k++ * 4099 * 2) % (noiseBytes.length / 2);
        const n = Math.min(left, noiseBytes.length - start);
        const piece = noiseBytes.subarray(start, start + n);
        hash.update(piece);
        await fh.write(piece);
        left -= n;
      }
    }
    await fh.write(json.replace('0'.repeat(64), hash.digest('hex')), 8);
  } finally {
    await fh.close();
  }
  return 8 + json.length + offset;
}

async function bareRead(path: string, hash: boolean): Promise<number> {
  const fh = await open(path, 'r');
  const buf = new Uint8Array(CHUNK);
  const h = hash ? createHash('sha256') : undefined;
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, total);
      if (bytesRead === 0) break;
      h?.update(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
  } finally {
    await fh.close();
  }
  h?.digest();
  return total;
}

/** Best wall time of `runs`, and the CPU time (user + system, all threads) of that run. */
async function best(runs: number, f: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  let out = { wall: Infinity, cpu: Infinity };
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (wall < out.wall) out = { wall, cpu: (c.user + c.system) / 1000 };
  }
  return out;
}

export default async function weightsBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tblens-weights-bench-'));
  try {
    const path = join(dir, 'bench-dim128.safetensors');
    const tensors = plan();
    const size = await writeFile(path, tensors);
    const mb = size / 1e6;
    const rate = (t: { wall: number; cpu: number }) =>
      `${(mb / (t.wall / 1000)).toFixed(0).padStart(5)} MB/s wall (${t.wall.toFixed(0)} ms), ${(mb / (t.cpu / 1000)).toFixed(0).padStart(5)} MB/s of CPU time`;
    console.log(`file: ${mb.toFixed(1)} MB fp16, ${tensors.length} tensors, rank ${RANK} (best of 3, health scan best of 5; page cache warm)`);
    console.log(`machine: ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} (wall times are only meaningful when load < CPUs)`);
    const scan = (o: ReadWeightsOptions) => async () => {
      const r = await readWeightsSummary(path, o);
      if (!r.ok) throw new Error(r.error);
      return r;
    };
    await scan({ norms: false, verifyHash: false })(); // warm-up: JIT and page cache
    const bare = await best(3, () => bareRead(path, false));
    const bareHash = await best(3, () => bareRead(path, true));
    const health = await best(5, scan({ norms: false, verifyHash: false }));
    const withHash = await best(3, async () => {
      const r = await scan({ norms: false, verifyHash: true })();
      if (r.summary.hashMismatch !== false) throw new Error('bench file: sshs_model_hash not verified');
    });
    const auto = await best(3, scan({}));
    const full = await best(1, scan({ norms: true }));
    console.log(`bare read (8 MiB chunks):             ${rate(bare)}`);
    console.log(`bare read + sha256:                   ${rate(bareHash)}`);
    console.log(`health scan (NaN/Inf/zeros/stats):    ${rate(health)}`);
    console.log(`health scan + sshs_model_hash:        ${rate(withHash)}`);
    console.log(`default (norms 'auto': over budget here): ${rate(auto)}`);
    console.log(`forced norms (health + hash + ‖ΔW‖):  ${rate(full)}  (Gram cost ≈ (rank+1)/2 multiply-adds per weight)`);
    const mbs = mb / (health.wall / 1000);
    console.log(`target health scan ≥ ${TARGET_MBS} MB/s on a ${mb.toFixed(0)} MB fp16 file: ${mbs.toFixed(0)} MB/s ${mbs >= TARGET_MBS ? 'PASS' : 'MISS'}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Standalone: `npm run build && node --expose-gc dist/bench/weights.bench.js`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await weightsBench();
