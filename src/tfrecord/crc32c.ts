// CRC-32C (Castagnoli), slicing-by-8. Node's zlib.crc32 is CRC-32/IEEE, a different polynomial.
// Pure TypeScript beats a native binding for the ~50-byte records summary writers produce,
// because each native call costs more than hashing the record.

const POLY = 0x82f63b78;

// Int32Array, not Uint32Array: values ≥ 2^31 would be loaded as heap doubles and converted back
// to int32 on every XOR, which halves the speed.
function makeTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    tables[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0][n];
    for (let t = 1; t < 8; t++) {
      c = tables[0][c & 0xff] ^ (c >>> 8);
      tables[t][n] = c;
    }
  }
  return tables;
}

const TABLES = makeTables();
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES;

/** The eight slicing tables, concatenated (T0 first), for the WebAssembly scanner. */
export function crc32cTables(): Int32Array {
  const all = new Int32Array(8 * 256);
  TABLES.forEach((t, k) => all.set(t, k * 256));
  return all;
}

/** CRC-32C of bytes[start, end), as a signed int32 (no boxing of values ≥ 2^31 in hot loops). */
function crc32cInt(bytes: Uint8Array, start: number, end: number): number {
  return ~crc32cAdvance(-1, bytes, start, end);
}

/**
 * The raw CRC-32C register after feeding bytes[start, end) into `register` (no initial or final
 * inversion). The register update is linear over GF(2), which `crc32cShift` relies on.
 */
export function crc32cAdvance(register: number, bytes: Uint8Array, start: number, end: number): number {
  let crc = register;
  let i = start;
  const fastEnd = end - ((end - start) & 7);
  while (i < fastEnd) {
    const a = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) ^ crc;
    crc =
      T7[a & 0xff] ^ T6[(a >>> 8) & 0xff] ^ T5[(a >>> 16) & 0xff] ^ T4[a >>> 24] ^ T3[bytes[i + 4]] ^ T2[bytes[i + 5]] ^ T1[bytes[i + 6]] ^ T0[bytes[i + 7]];
    i += 8;
  }
  while (i < end) crc = T0[(crc ^ bytes[i++]) & 0xff] ^ (crc >>> 8);
  return crc;
}

/** a·b modulo the CRC-32C polynomial, both in the reflected bit order the register uses (zlib's multmodp). */
function multModP(a: number, b: number): number {
  let p = 0;
  for (let m = 0x80000000; m !== 0; m >>>= 1) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p | 0;
}

// SHIFT[k][d] = x^(8·d·256^k) mod P: feeding n zero bytes multiplies the register by x^(8n), so
// n's base-256 digits select at most 7 factors (n < 2^53). Rows are built on first use.
const SHIFT: Int32Array[] = [];

function shiftRow(k: number): Int32Array {
  let row = SHIFT[k];
  if (row) return row;
  row = new Int32Array(256);
  row[0] = 0x80000000 | 0; // x^0
  // x^(8·256^k): x^8 (bit 31 − 8) for k = 0, else the previous row's entry for digit 255 times x^(8·256^(k-1)).
  const step = k === 0 ? 1 << 23 : multModP(shiftRow(k - 1)[255], shiftRow(k - 1)[1]);
  for (let d = 1; d < 256; d++) row[d] = multModP(row[d - 1], step);
  SHIFT[k] = row;
  return row;
}

/** x^(8n) mod P: the factor by which feeding `n` zero bytes multiplies the register. */
export function zeroBytesFactor(n: number): number {
  let op = 0x80000000 | 0;
  for (let k = 0; n > 0; k++) {
    const d = n % 256;
    if (d !== 0) op = multModP(shiftRow(k)[d], op);
    n = Math.floor(n / 256);
  }
  return op;
}

/**
 * The register after feeding n zero bytes into `register`, given `factor` = zeroBytesFactor(n):
 * O(1) instead of O(n). With it, the CRC of any range follows from two prefix registers (range-crc.ts).
 */
export function crc32cShift(register: number, factor: number): number {
  return multModP(factor, register);
}

/** CRC-32C of bytes[start, end). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cInt(bytes, start, end) >>> 0;
}

/** The LevelDB mask on an int32 CRC, as an int32. */
export function maskInt(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) | 0;
}

/**
 * Masked CRC-32C of bytes[start, end) as a signed int32: compare it with `readInt32LE` of the
 * stored CRC. The scanner uses this form because it never leaves small-integer range.
 */
export function maskedCrc32cInt(bytes: Uint8Array, start: number, end: number): number {
  return maskInt(crc32cInt(bytes, start, end));
}

/** TFRecord's (LevelDB's) masked form of a CRC; stored CRCs are compared in this form. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return maskCrc(crc32c(bytes, start, end));
}

/**
 * Masked CRC-32C of the 8 bytes at bytes[i] (a record's length field) as a signed int32: one
 * slicing step, no loop, because the scanner checks one per record and one per byte while
 * resynchronising.
 */
export function maskedCrc32c8(bytes: Uint8Array, i: number): number {
  const a = ~(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
  const crc =
    T7[a & 0xff] ^ T6[(a >>> 8) & 0xff] ^ T5[(a >>> 16) & 0xff] ^ T4[a >>> 24] ^ T3[bytes[i + 4]] ^ T2[bytes[i + 5]] ^ T1[bytes[i + 6]] ^ T0[bytes[i + 7]];
  return maskInt(~crc);
}
