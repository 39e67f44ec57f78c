/** What kind of payload a Summary.Value carries (its `oneof value`). */
export const enum PayloadKind {
  None = 0,
  SimpleValue = 2,
  OldHistogram = 3,
  Image = 4,
  Histogram = 5,
  Audio = 6,
  Tensor = 8,
}

/**
 * One Summary.Value, described by positions into the record's bytes. The decoder reuses a single
 * instance for every value, so a sink must copy what it keeps.
 */
export interface ValueView {
  tag: string;
  payload: PayloadKind;
  simpleValue: number;
  hasMetadata: boolean;
  pluginName: string;
  dataClass: number;
  /** plugin_data.content bytes [start, end), or -1. */
  pluginContentStart: number;
  pluginContentEnd: number;
  /** The payload sub-message bytes [start, end) (tensor, histo, image, audio), or -1. */
  payloadStart: number;
  payloadEnd: number;
}

export interface EventView {
  wallTime: number;
  step: number;
  /** Step does not fit a double exactly (≥ 2^53): kept approximately, flagged. */
  stepInexact: boolean;
  hasSummary: boolean;
  fileVersion: string | null;
  /** SessionLog status (1 START, 2 STOP, 3 CHECKPOINT), or 0. */
  sessionStatus: number;
  /** Which `oneof what` field the event holds (3 file_version, 4 graph_def, 5 summary, 6 log_message, 7 session_log, 8 tagged_run_metadata, 9 meta_graph_def), or 0. */
  what: number;
  sourceWriter: string | null;
}

export function newValueView(): ValueView {
  return {
    tag: '',
    payload: PayloadKind.None,
    simpleValue: 0,
    hasMetadata: false,
    pluginName: '',
    dataClass: 0,
    pluginContentStart: -1,
    pluginContentEnd: -1,
    payloadStart: -1,
    payloadEnd: -1,
  };
}

export function newEventView(): EventView {
  return { wallTime: 0, step: 0, stepInexact: false, hasSummary: false, fileVersion: null, sessionStatus: 0, what: 0, sourceWriter: null };
}
