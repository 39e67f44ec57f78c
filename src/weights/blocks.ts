/**
 * Where a module sits in the model, from kohya's module-name prefixes (kohya.md §3.2). `block` is
 * the finest unit a report shows (`down.1`, `input.4`, `double.7`); `group` is what the
 * zero-group rule compares (`te`, `te1`…, `down`, `mid`, `up`, `double`, `single`, `unet`).
 */
export interface BlockPlace {
  block: string;
  group: string;
}

const TE = /^(?:lora|lycoris|oft)_(te\d?)_/;
const UNET = /^(?:lora|lycoris|oft)_(?:prior_)?unet_(.*)$/;
const DIFFUSERS_TE = /^(?:text_encoder(_\d)?|te(\d)?)[._]/;
const DIFFUSERS_UNET = /^(?:unet|transformer|diffusion_model)[._](.*)$/;

export function blockOf(moduleName: string): BlockPlace {
  const te = TE.exec(moduleName);
  if (te) return { block: te[1], group: te[1] };
  const dte = DIFFUSERS_TE.exec(moduleName);
  if (dte) {
    const n = dte[1] ? `te${Number(dte[1].slice(1))}` : dte[2] ? `te${dte[2]}` : 'te';
    return { block: n, group: n };
  }
  const unet = UNET.exec(moduleName) ?? DIFFUSERS_UNET.exec(moduleName);
  if (unet) return unetBlock(unet[1].replace(/\./g, '_'));
  return { block: 'other', group: 'other' };
}

function unetBlock(rest: string): BlockPlace {
  let m: RegExpExecArray | null;
  if ((m = /^down_blocks_(\d+)_/.exec(rest))) return { block: `down.${m[1]}`, group: 'down' };
  if (/^mid_block_/.test(rest)) return { block: 'mid', group: 'mid' };
  if ((m = /^up_blocks_(\d+)_/.exec(rest))) return { block: `up.${m[1]}`, group: 'up' };
  if ((m = /^input_blocks_(\d+)_/.exec(rest))) return { block: `input.${m[1]}`, group: 'down' };
  if (/^middle_block_/.test(rest)) return { block: 'middle', group: 'mid' };
  if ((m = /^output_blocks_(\d+)_/.exec(rest))) return { block: `output.${m[1]}`, group: 'up' };
  if ((m = /^double_blocks_(\d+)_/.exec(rest))) return { block: `double.${m[1]}`, group: 'double' };
  if ((m = /^single_blocks_(\d+)_/.exec(rest))) return { block: `single.${m[1]}`, group: 'single' };
  if ((m = /^(?:transformer_blocks|joint_blocks|layers)_(\d+)_/.exec(rest))) return { block: `blocks.${m[1]}`, group: 'blocks' };
  return { block: 'unet', group: 'unet' };
}

/** Sort key so blocks list in model order: text encoders, then down/input, mid, up/output, others. */
export function blockOrder(block: string): [number, number, string] {
  const [head, index] = block.split('.');
  const rank: Record<string, number> = {
    te: 0,
    te1: 1,
    te2: 2,
    te3: 3,
    down: 10,
    input: 10,
    mid: 11,
    middle: 11,
    up: 12,
    output: 12,
    double: 20,
    single: 21,
    blocks: 22,
    unet: 30,
    other: 40,
  };
  return [rank[head] ?? 35, index === undefined ? -1 : Number(index), block];
}

export function compareBlocks(a: string, b: string): number {
  const x = blockOrder(a);
  const y = blockOrder(b);
  return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
}
