import { PayloadKind, type ValueView } from '../events/value-view.js';
import type { TagKind } from './types.js';

/**
 * The kind of a tag from its first value, in the data server's precedence (data_compat.rs):
 * an explicit data class wins, then a simple_value means scalar, then the plugin name, then the
 * payload type.
 */
export function classifyTag(v: ValueView): TagKind {
  if (v.dataClass === 1) return 'scalar';
  if (v.dataClass === 2 || v.dataClass === 3) return byPlugin(v.pluginName) ?? byPayload(v.payload, v.dataClass === 3);
  if (v.payload === PayloadKind.SimpleValue) return 'scalar';
  return byPlugin(v.pluginName) ?? byPayload(v.payload, false);
}

function byPlugin(name: string): TagKind | undefined {
  switch (name) {
    case 'scalars':
      return 'scalar';
    case 'histograms':
      return 'histogram';
    case 'images':
      return 'image';
    case 'audio':
      return 'audio';
    case 'text':
      return 'text';
    case 'hparams':
      return 'hparams';
    default:
      return undefined;
  }
}

function byPayload(p: PayloadKind, blob: boolean): TagKind {
  switch (p) {
    case PayloadKind.Histogram:
    case PayloadKind.OldHistogram:
      return 'histogram';
    case PayloadKind.Image:
      return 'image';
    case PayloadKind.Audio:
      return 'audio';
    case PayloadKind.Tensor:
      return blob ? 'image' : 'tensor';
    default:
      return 'unknown';
  }
}
