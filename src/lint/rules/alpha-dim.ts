import type { DetectConfig } from '../../detect/config.js';
import { GUI_FACTS, type ConfigDocument, type Setting } from '../document.js';
import { numberAt } from '../facts.js';
import { lintFinding, type LintFinding } from '../finding.js';
import { asNumber, asText } from '../values.js';
import { pointInto } from './point.js';

/** conv_dim / conv_alpha from network_args (`key=value` strings, or the JSON object in ss_network_args). */
function networkArg(doc: ConfigDocument, name: string): { value: number; at: Setting | undefined } | undefined {
  const at = doc.settings.get('network_args');
  const v = at?.value;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const n = asNumber((v as Record<string, unknown>)[name]);
    return n === undefined ? undefined : { value: n, at };
  }
  const items = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\s+/) : [];
  for (const item of items) {
    const m = new RegExp(`^\\s*${name}\\s*=\\s*"?([^"]*)"?\\s*$`).exec(item);
    const n = m ? asNumber(m[1]) : undefined;
    if (n !== undefined) return { value: n, at: pointInto(doc, at, name) };
  }
  return undefined;
}

/**
 * alpha above dim: kohya scales the update by alpha/dim, so alpha > dim multiplies it (docs:
 * alpha ≈ dim/2 or = dim; kohya_ss #1758 reports NaN with large alpha). Conv layers likewise when
 * the network trains them (LoCon/LyCORIS).
 */
export function alphaDimRule(doc: ConfigDocument, cfg: DetectConfig): LintFinding[] {
  const out: LintFinding[] = [];
  const check = (what: string, dim: { value: number; at?: Setting } | undefined, alpha: { value: number; at?: Setting } | undefined) => {
    if (!dim || !alpha || !(dim.value > 0) || !(alpha.value / dim.value > cfg.lint.alphaOverDim)) return;
    out.push(
      lintFinding(doc, 'alpha_over_dim', 'warning', alpha.at, {
        message: `${what} alpha ${alpha.value} is above its dim ${dim.value}: every update is scaled by ${(alpha.value / dim.value).toPrecision(3)}`,
        seen: { alpha: alpha.value, dim: dim.value, scale: alpha.value / dim.value, threshold: cfg.lint.alphaOverDim },
        expected: `alpha ≤ dim × ${cfg.lint.alphaOverDim} (kohya’s docs: alpha ≈ dim/2 or = dim)`,
        why: 'the LoRA update is multiplied by alpha/dim, so alpha above dim acts like a larger lr; large alpha is a reported cause of NaN',
        advice: 'Lower alpha to dim (or dim/2), and retune the lr if it changes a lot.',
      }),
    );
  };
  check('network', numberAt(doc, 'network_dim'), numberAt(doc, 'network_alpha'));
  if (doc.format === 'kohya-gui-json') {
    const type = asText(doc.settings.get(GUI_FACTS.loraType)?.value) ?? '';
    if (/LoCon|LyCORIS/i.test(type)) check('conv', numberAt(doc, 'conv_dim'), numberAt(doc, 'conv_alpha'));
  } else check('conv', networkArg(doc, 'conv_dim'), networkArg(doc, 'conv_alpha'));
  return out;
}
