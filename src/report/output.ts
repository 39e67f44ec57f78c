import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/** A text sink that batches small writes and respects backpressure (exports can be hundreds of MB). */
export interface TextOutput {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

const BATCH = 1 << 20;

export function textOutput(stream: Writable, closeStream: boolean): TextOutput {
  let pending: string[] = [];
  let size = 0;
  let failed: Error | undefined;
  stream.on('error', (e) => (failed = e));
  const flush = async () => {
    if (failed) throw failed;
    if (size === 0) return;
    const chunk = pending.join('');
    pending = [];
    size = 0;
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  };
  return {
    async write(text) {
      pending.push(text);
      size += text.length;
      if (size >= BATCH) await flush();
    },
    async close() {
      await flush();
      if (closeStream) await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
      if (failed) throw failed;
    },
  };
}

/** `-o FILE`, or stdout when no file (or `-`) is given. */
export function openOutput(file: string | undefined): TextOutput {
  if (!file || file === '-') return textOutput(process.stdout, false);
  return textOutput(createWriteStream(file), true);
}
