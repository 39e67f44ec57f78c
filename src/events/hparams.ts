import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

let root: protobuf.Root | undefined;

/** The slow-path protos (hparams, histograms, tensors), parsed once from tensorboard.proto. */
export function tensorboardProtos(): protobuf.Root {
  if (!root) {
    const text = readFileSync(new URL('./tensorboard.proto', import.meta.url), 'utf8');
    root = protobuf.parse(text, { keepCase: true }).root;
  }
  return root;
}

export interface HParamsContent {
  kind: 'experiment' | 'session_start' | 'session_end' | 'unknown';
  hparams: Record<string, unknown>;
  metrics: string[];
  status?: number;
}

/** Decodes the plugin content of an `hparams` summary; undefined when it is not valid. */
export function decodeHParams(content: Uint8Array): HParamsContent | undefined {
  try {
    const type = tensorboardProtos().lookupType('tblens.HParamsPluginData');
    // protobufjs's toObject gives untyped plain JSON; its fields are read as the proto names them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const msg = type.toObject(type.decode(content), { longs: Number, defaults: false, oneofs: true }) as Record<string, any>;
    if (msg.session_start_info) {
      const hparams: Record<string, unknown> = {};
      for (const [key, value] of Object.entries<Record<string, unknown>>(msg.session_start_info.hparams ?? {})) hparams[key] = plainValue(value);
      return { kind: 'session_start', hparams, metrics: [] };
    }
    if (msg.experiment) {
      const hparams: Record<string, unknown> = {};
      for (const info of msg.experiment.hparam_infos ?? []) hparams[info.name] = undefined;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a MetricInfo of the untyped toObject output
      const metrics = (msg.experiment.metric_infos ?? []).map((m: any) => m.name?.tag ?? '');
      return { kind: 'experiment', hparams, metrics };
    }
    if (msg.session_end_info) return { kind: 'session_end', hparams: {}, metrics: [], status: msg.session_end_info.status };
    return { kind: 'unknown', hparams: {}, metrics: [] };
  } catch {
    return undefined;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a google.protobuf.Value of the untyped toObject output
function plainValue(v: any): unknown {
  if (v == null) return null;
  if ('number_value' in v) return v.number_value;
  if ('string_value' in v) return v.string_value;
  if ('bool_value' in v) return v.bool_value;
  if ('list_value' in v) return (v.list_value.values ?? []).map(plainValue);
  if ('struct_value' in v) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v.struct_value.fields ?? {})) out[k] = plainValue(x);
    return out;
  }
  return null;
}
