/** What the record layer could not read, always with the byte offset where it happened. */
export type RecordDamage =
  /** The file ends inside a record: a writer still writing, or one that crashed mid-record. */
  | { kind: 'truncated'; offset: number; bytes: number; detail: string }
  /** Framing intact but the payload CRC is wrong: this one record was skipped. */
  | { kind: 'crc_error'; offset: number; length: number }
  /** Bad length CRC or garbage: bytes [offset, end) were skipped until framing verified again. */
  | { kind: 'skipped_bytes'; offset: number; end: number; detail: string }
  /** Not a TFRecord file at all (git-lfs pointer, random bytes): nothing from it is used. */
  | { kind: 'not_event_file'; offset: number; detail: string };

export function describeDamage(d: RecordDamage): string {
  switch (d.kind) {
    case 'truncated':
      return `truncated record at byte ${d.offset} (${d.detail})`;
    case 'crc_error':
      return `payload CRC mismatch at byte ${d.offset} (record of ${d.length} bytes skipped)`;
    case 'skipped_bytes':
      return `${d.detail} at byte ${d.offset}; skipped ${d.end - d.offset} bytes to byte ${d.end}`;
    case 'not_event_file':
      return `not an event file (${d.detail}) at byte ${d.offset}`;
  }
}
