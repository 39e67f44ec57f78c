/**
 * What a tensor key says about its module. kohya names tensors `<module>.<part>`; LyCORIS keeps the
 * module names and changes the parts, so the family is read from the part names alone.
 */
export type ModuleFamily = 'lora' | 'loha' | 'lokr' | 'ia3' | 'glora' | 'oft' | 'full' | 'norm' | 'unknown';

/** Role of a tensor inside its module. */
export type TensorRole = 'down' | 'up' | 'mid' | 'alpha' | 'scale' | 'factor' | 'other';

export interface KeyInfo {
  module: string;
  part: string;
  family: ModuleFamily;
  role: TensorRole;
}

// Longest parts first so `lora_down.weight` wins over `weight`.
const PARTS: [part: string, family: ModuleFamily, role: TensorRole][] = [
  ['lora_down.weight', 'lora', 'down'],
  ['lora_up.weight', 'lora', 'up'],
  ['lora_mid.weight', 'lora', 'mid'],
  ['lora_A.weight', 'lora', 'down'], // PEFT / diffusers
  ['lora_B.weight', 'lora', 'up'],
  ['lora.down.weight', 'lora', 'down'],
  ['lora.up.weight', 'lora', 'up'],
  ['lora_magnitude_vector', 'lora', 'scale'],
  ['dora_scale', 'lora', 'scale'],
  ['hada_w1_a', 'loha', 'factor'],
  ['hada_w1_b', 'loha', 'factor'],
  ['hada_w2_a', 'loha', 'factor'],
  ['hada_w2_b', 'loha', 'factor'],
  ['hada_t1', 'loha', 'mid'],
  ['hada_t2', 'loha', 'mid'],
  ['lokr_w1', 'lokr', 'factor'],
  ['lokr_w1_a', 'lokr', 'factor'],
  ['lokr_w1_b', 'lokr', 'factor'],
  ['lokr_w2', 'lokr', 'factor'],
  ['lokr_w2_a', 'lokr', 'factor'],
  ['lokr_w2_b', 'lokr', 'factor'],
  ['lokr_t2', 'lokr', 'mid'],
  ['oft_blocks', 'oft', 'factor'],
  ['oft_diag', 'oft', 'factor'],
  ['rescale', 'oft', 'scale'],
  ['a1.weight', 'glora', 'factor'],
  ['a2.weight', 'glora', 'factor'],
  ['b1.weight', 'glora', 'factor'],
  ['b2.weight', 'glora', 'factor'],
  ['bm.weight', 'glora', 'factor'],
  ['diff_b', 'full', 'factor'],
  ['diff', 'full', 'factor'],
  ['w_norm', 'norm', 'factor'],
  ['b_norm', 'norm', 'factor'],
  ['on_input', 'ia3', 'other'],
  ['alpha', 'unknown', 'alpha'],
  ['scalar', 'unknown', 'scale'],
  ['weight', 'ia3', 'factor'],
];

export function classifyKey(name: string): KeyInfo {
  for (const [part, family, role] of PARTS) {
    if (name.length > part.length + 1 && name.endsWith(part) && name[name.length - part.length - 1] === '.') {
      return { module: name.slice(0, name.length - part.length - 1), part, family, role };
    }
  }
  const dot = name.lastIndexOf('.');
  if (dot > 0) return { module: name.slice(0, dot), part: name.slice(dot + 1), family: 'unknown', role: 'other' };
  return { module: name, part: '', family: 'unknown', role: 'other' };
}

/**
 * The family of a module from the families of its parts: the specific one wins over the
 * ambiguous `alpha`/`scalar` (unknown) and the plain `weight` of (IA)³, which GLoRA and others also use.
 */
export function moduleFamily(families: ModuleFamily[]): ModuleFamily {
  const specific = families.filter((f) => f !== 'unknown' && f !== 'ia3');
  if (specific.length > 0) return specific[0];
  return families.includes('ia3') ? 'ia3' : 'unknown';
}
