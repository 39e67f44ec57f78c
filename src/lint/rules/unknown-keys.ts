import type { DetectConfig } from '../../detect/config.js';
import type { ConfigDocument } from '../document.js';
import { lintFinding, type LintFinding } from '../finding.js';
import { DATASET_KEYS, GUI_JSON_KEYS, sdScriptsArguments } from '../known-keys.js';
import { nearestKey } from '../suggest.js';

const WHERE: Record<ConfigDocument['unknownKeys'][number]['known'], { list: () => Iterable<string>; effect: string }> = {
  'sd-scripts': { list: () => sdScriptsArguments(), effect: 'sd-scripts has no argument of that name and ignores it, so the default stays in force' },
  gui: { list: () => [...GUI_JSON_KEYS, ...sdScriptsArguments()], effect: 'the kohya_ss GUI drops keys it does not know when it loads a config' },
  'dataset-top': { list: () => DATASET_KEYS.top, effect: 'sd-scripts’ dataset schema refuses unknown keys ("Invalid user config")' },
  dataset: { list: () => [...DATASET_KEYS.dataset, ...DATASET_KEYS.subset], effect: 'sd-scripts’ dataset schema refuses unknown keys ("Invalid user config")' },
  subset: { list: () => DATASET_KEYS.subset, effect: 'sd-scripts’ dataset schema refuses unknown keys ("Invalid user config")' },
};

/** Keys no list knows (typos such as learning_rte), with the nearest known key. */
export function unknownKeysRule(doc: ConfigDocument, cfg: DetectConfig): LintFinding[] {
  return doc.unknownKeys.map((u) => {
    const name = u.key.replace(/^--/, '').replace(/^.*\./, '');
    const where = WHERE[u.known];
    const suggestion = nearestKey(name, where.list(), cfg.lint.typoDistance);
    return lintFinding(
      doc,
      'unknown_key',
      'warning',
      { value: null, key: u.key, pos: u.pos },
      {
        message: `Unknown key ${u.key}${suggestion ? ` — did you mean ${suggestion}?` : ''}`,
        seen: { key: u.key, suggestion: suggestion ?? null },
        expected: suggestion
          ? `${suggestion} (a known ${u.known === 'gui' ? 'kohya_ss GUI' : u.known.startsWith('d') || u.known === 'subset' ? 'dataset config' : 'sd-scripts'} key)`
          : 'a key the trainer knows',
        why: where.effect,
        advice: suggestion ? `Rename ${u.key} to ${suggestion}.` : `Check the spelling of ${u.key}, or remove it.`,
      },
    );
  });
}
