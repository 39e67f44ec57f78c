import type { OptimizerInfo } from './identity.js';
import { parsePythonLiteral } from './python-literal.js';

/**
 * `ss_optimizer`: `<module>.<Class>` optionally followed by `(k=v,k=v,…)`, values as Python
 * `str()` (strings unquoted, tuples with `", "`). Split at depth-0 commas, then at the first `=`.
 */
export function parseOptimizer(raw: string): OptimizerInfo {
  const text = raw.trim();
  const open = text.indexOf('(');
  const head = open < 0 ? text : text.slice(0, open);
  const dot = head.lastIndexOf('.');
  const info: OptimizerInfo = { name: dot < 0 ? head : head.slice(dot + 1), module: dot < 0 ? '' : head.slice(0, dot), args: {}, raw };
  if (open < 0) return info;
  let inner = text.slice(open + 1);
  if (inner.endsWith(')')) inner = inner.slice(0, -1);
  info.args = parseOptimizerArgs(splitTopLevel(inner));
  return info;
}

/** `k=v` items (from `ss_optimizer` or kohya's `--optimizer_args` list) → parsed values; raw text kept when unparseable. */
export function parseOptimizerArgs(items: string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const item of items) {
    const part = item.trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      args[part] = true;
      continue;
    }
    const key = part.slice(0, eq).trim();
    const valueText = part.slice(eq + 1).trim();
    const py = parsePythonLiteral(valueText);
    args[key] = py.ok ? py.value : valueText;
  }
  return args;
}

/** Splits at commas outside (), [], {} and quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter((p) => p.trim() !== '');
}

/** Defaults of well-known optimizer classes, for "missing weight_decay means the class default". */
export const OPTIMIZER_DEFAULTS: Record<string, Record<string, unknown>> = {
  AdamW: { weight_decay: 0.01, betas: [0.9, 0.999], eps: 1e-8 },
  AdamW8bit: { weight_decay: 0.01, betas: [0.9, 0.999], eps: 1e-8 },
  PagedAdamW8bit: { weight_decay: 0.01, betas: [0.9, 0.999], eps: 1e-8 },
  Adam: { weight_decay: 0, betas: [0.9, 0.999], eps: 1e-8 },
  SGD: { weight_decay: 0, momentum: 0 },
  Lion: { weight_decay: 0, betas: [0.9, 0.99] },
  Lion8bit: { weight_decay: 0, betas: [0.9, 0.99] },
  Prodigy: { weight_decay: 0, betas: [0.9, 0.999], d0: 1e-6, d_coef: 1.0, decouple: true, use_bias_correction: false, safeguard_warmup: false },
  DAdaptAdam: { weight_decay: 0, betas: [0.9, 0.999], d0: 1e-6, decouple: false },
  Adafactor: { relative_step: true, scale_parameter: true, warmup_init: false, weight_decay: 0 },
};

/** An argument's effective value: given, else the class default, else undefined (unknown class or argument). */
export function optimizerArg(opt: OptimizerInfo, name: string): unknown {
  if (name in opt.args) return opt.args[name];
  return OPTIMIZER_DEFAULTS[opt.name]?.[name];
}
