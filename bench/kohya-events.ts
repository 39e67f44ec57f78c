// The benches' synthetic kohya log: what kohya (PyTorch add_scalar) writes — a file_version record, then
// one event per tag per step — written with tblens's own event writer (the same bytes torch writes).
import { encodeFileVersionEvent, encodeScalarEvent } from '../src/events/encode-event.js';

export const KOHYA_TAGS = ['loss/current', 'loss/average', 'lr/unet', 'lr/textencoder'];

export function* kohyaEvents(steps: number, seed: number): Iterable<Uint8Array> {
  const t0 = 1_795_960_866 + seed * 3600;
  yield encodeFileVersionEvent(t0);
  let loss = 0.12 + (seed % 7) * 0.01;
  let average = loss;
  for (let s = 1; s <= steps; s++) {
    const wall = t0 + s * 0.37;
    loss = Math.abs(loss + Math.sin(s * 12.9898 + seed) * 0.01);
    average += (loss - average) / Math.min(s, 100);
    const lr = 1e-4 * 0.5 * (1 + Math.cos((Math.PI * s) / steps));
    yield encodeScalarEvent(wall, s, KOHYA_TAGS[0], loss);
    yield encodeScalarEvent(wall + 0.0001, s, KOHYA_TAGS[1], average);
    yield encodeScalarEvent(wall + 0.0002, s, KOHYA_TAGS[2], lr);
    yield encodeScalarEvent(wall + 0.0003, s, KOHYA_TAGS[3], lr * 0.5);
  }
}

export function eventFileName(seed: number): string {
  return `events.out.tfevents.${1_795_960_866 + seed}.bench-host.${1000 + seed}.0`;
}
