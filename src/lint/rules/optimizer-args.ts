import { splitTopLevel } from '../../identity/optimizer.js';
import type { ConfigDocument, Setting } from '../document.js';
import { optimizerView } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';
import { pointInto } from './point.js';

/** Arguments that take one number or flag, never a tuple (betas, for one, is a tuple). */
const SCALAR_ARGS = new Set([
  'weight_decay',
  'lr',
  'eps',
  'd0',
  'd_coef',
  'decouple',
  'use_bias_correction',
  'safeguard_warmup',
  'momentum',
  'dampening',
  'nesterov',
  'relative_step',
  'scale_parameter',
  'warmup_init',
  'clip_threshold',
  'decay_rate',
  'beta1',
  'growth_rate',
  'amsgrad',
  'foreach',
  'fused',
  'T_max',
  'eta_min',
  'gamma',
  'step_size',
  'last_epoch',
  'min_lr',
]);

const PYTHON_WORDS = new Set(['True', 'False', 'None']);

/** What ast.literal_eval makes of a value, as far as the rule needs: a tuple, or a failure and why. */
function literalProblem(key: string, value: string): string | undefined {
  const v = value.trim();
  if (v === '') return `${key}= has no value (ast.literal_eval('') fails)`;
  if (/^[A-Za-z_]\w*$/.test(v) && !PYTHON_WORDS.has(v)) {
    const fix = { true: 'True', false: 'False', none: 'None', null: 'None' }[v.toLowerCase()];
    return fix ? `${key}=${v} is not a Python literal (write ${fix})` : `${key}=${v} is a bare name, not a Python literal (quote a string: ${key}="${v}")`;
  }
  if (key === 'betas' && /^(['"]).*\1$/.test(v)) return `${key}=${v} is a string, not a pair of numbers (write ${key}=${v.slice(1, -1)})`;
  const isTuple = splitTopLevel(v).length > 1 || /,\s*$/.test(v);
  if (isTuple && SCALAR_ARGS.has(key)) return `${key}=${v} is read as a tuple${/,\s*$/.test(v) ? ' (the trailing comma)' : ''}; ${key} takes one value`;
  return undefined;
}

function checkItems(doc: ConfigDocument, name: string, at: Setting | undefined, items: string[]): LintFinding[] {
  const out: LintFinding[] = [];
  for (const item of items) {
    const parts = item.split('=');
    let problem: string | undefined;
    if (parts.length !== 2) problem = parts.length < 2 ? `"${item}" has no "=" (sd-scripts splits every item at "=")` : `"${item}" has more than one "="`;
    else problem = literalProblem(parts[0].trim(), parts[1]);
    if (!problem) continue;
    out.push(
      lintFinding(doc, 'optimizer_args_syntax', 'error', pointInto(doc, at, item.replace(/^"|"$/g, '')), {
        message: `${name}: ${problem} — sd-scripts stops before training`,
        seen: { [name]: item },
        expected: 'space-separated key=value items with Python literal values (decouple=True weight_decay=0.01 betas=0.9,0.99)',
        why: "sd-scripts does `key, value = arg.split(\"=\")` and `ast.literal_eval(value)`: a stray comma makes a tuple (\"'>' not supported between instances of 'tuple' and 'int'\"), anything else raises",
        advice: problem.includes('tuple')
          ? `Remove the comma: separate items with spaces, not ", ".`
          : 'Rewrite the item as key=value with a Python literal (True/False/None, numbers, quoted strings).',
      }),
    );
  }
  return out;
}

/**
 * optimizer_args and lr_scheduler_args as sd-scripts parses them: each item split at "=", the
 * value through ast.literal_eval. Comma-joined items ("weight_decay=0.5, decouple=True") give
 * tuples that crash the optimizer (kohya_ss #3052); lowercase true, a bare word or an item without
 * "=" raise. A TOML string instead of a list is iterated character by character.
 */
export function optimizerArgsRule(doc: ConfigDocument): LintFinding[] {
  if (doc.format === 'safetensors-metadata' || doc.format === 'dataset-toml') return [];
  const out: LintFinding[] = [];
  const opt = optimizerView(doc);
  const lists: [string, Setting | undefined, string[]][] = [];
  if (opt) lists.push(['optimizer_args', opt.argsAt, opt.items]);
  const sched = doc.settings.get('lr_scheduler_args');
  if (sched)
    lists.push([
      'lr_scheduler_args',
      sched,
      Array.isArray(sched.value) ? sched.value.map(String) : typeof sched.value === 'string' ? sched.value.replace(/"/g, '').split(/\s+/).filter(Boolean) : [],
    ]);
  for (const [name, at, items] of lists) {
    if (doc.format === 'sd-scripts-toml' && typeof at?.value === 'string' && at.value.trim() !== '') {
      out.push(
        lintFinding(doc, 'optimizer_args_syntax', 'error', at, {
          message: `${name} is a string; in a --config_file it must be a list of strings`,
          seen: { [name]: at.value },
          expected: `${name} = ["key=value", …]`,
          why: 'sd-scripts loops over the value: a string is taken one character at a time, and "w".split("=") stops the run',
          advice: `Write ${name} = [${at.value
            .trim()
            .split(/\s+/)
            .map((s) => JSON.stringify(s))
            .join(', ')}].`,
        }),
      );
      continue;
    }
    out.push(...checkItems(doc, name, at, items));
  }
  return out;
}
