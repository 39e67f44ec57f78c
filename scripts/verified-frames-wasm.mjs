// Assembles the WebAssembly module embedded in src/tfrecord/verified-frames.ts and prints it as base64.
// Run: node scripts/verified-frames-wasm.mjs — then paste the output into WASM there.
const leb = (n) => { const o = []; do { let x = n & 0x7f; n >>>= 7; if (n) x |= 0x80; o.push(x); } while (n); return o; };
const sleb = (n) => { const o = []; for (;;) { const x = n & 0x7f; n >>= 7; if ((n === 0 && !(x & 0x40)) || (n === -1 && (x & 0x40))) { o.push(x); return o; } o.push(x | 0x80); } };
const get = (l) => [0x20, l], set = (l) => [0x21, l], tee = (l) => [0x22, l], c = (n) => [0x41, ...sleb(n)];
const AND = 0x71, XOR = 0x73, SHL = 0x74, SHRU = 0x76, ROTR = 0x78, ADD = 0x6a, SUB = 0x6b, GEU = 0x4f, LTU = 0x49, GTU = 0x4b, NE = 0x47;
const load = (off) => [0x28, 2, ...leb(off)];
const store = (off) => [0x36, 2, ...leb(off)];
const OUT = 8192;
const look = (t, l, k) => [...get(l), ...(k ? [...c(8 * k), SHRU] : []), ...(k < 3 ? [...c(255), AND] : []), ...c(2), SHL, ...load(t * 1024)];
// crc(p, end): masked CRC-32C of [p, end). locals 2 crc, 3 a, 4 b, 5 fast
const crc = [1, 4, 0x7f,
  ...c(-1), ...set(2),
  ...get(1), ...get(1), ...get(0), SUB, ...c(7), AND, SUB, ...set(5),
  0x02, 0x40, 0x03, 0x40,
  ...get(0), ...get(5), GEU, 0x0d, 1,
  ...get(0), ...load(0), ...get(2), XOR, ...set(3),
  ...get(0), ...load(4), ...set(4),
  ...look(7, 3, 0), ...look(6, 3, 1), XOR, ...look(5, 3, 2), XOR, ...look(4, 3, 3), XOR,
  ...look(3, 4, 0), XOR, ...look(2, 4, 1), XOR, ...look(1, 4, 2), XOR, ...look(0, 4, 3), XOR, ...set(2),
  ...get(0), ...c(8), ADD, ...set(0),
  0x0c, 0, 0x0b, 0x0b,
  0x02, 0x40, 0x03, 0x40,
  ...get(0), ...get(1), GEU, 0x0d, 1,
  ...get(2), ...get(0), 0x2d, 0, 0, XOR, ...c(255), AND, ...c(2), SHL, ...load(0), ...get(2), ...c(8), SHRU, XOR, ...set(2),
  ...get(0), ...c(1), ADD, ...set(0),
  0x0c, 0, 0x0b, 0x0b,
  ...get(2), ...c(-1), XOR, ...c(15), ROTR, ...c(0xa282ead8 | 0), ADD,
  0x0b,
];
// frames(p, end) -> n. locals 2 n, 3 len, 4 e
const frames = [1, 3, 0x7f,
  0x02, 0x40, 0x03, 0x40,
  ...get(1), ...get(0), SUB, ...c(16), LTU, 0x0d, 1,
  ...get(0), ...get(0), ...c(8), ADD, 0x10, 0, ...get(0), ...load(8), NE, 0x0d, 1,
  ...get(0), ...load(4), 0x0d, 1,
  ...get(0), ...load(0), ...tee(3), ...get(1), ...get(0), SUB, ...c(16), SUB, GTU, 0x0d, 1,
  ...get(0), ...c(12), ADD, ...get(3), ADD, ...set(4),
  ...get(0), ...c(12), ADD, ...get(4), 0x10, 0, ...get(4), ...load(0), NE, 0x0d, 1,
  ...get(2), ...c(2), SHL, ...get(4), ...store(OUT),
  ...get(2), ...c(1), ADD, ...set(2),
  ...get(4), ...c(4), ADD, ...set(0),
  0x0c, 0, 0x0b, 0x0b,
  ...get(2),
  0x0b,
];
const sec = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const str = (s) => [s.length, ...Buffer.from(s)];
const PAGES = 21;
const mod = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...sec(1, [1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f]),
  ...sec(3, [2, 0, 0]),
  ...sec(5, [1, 0, PAGES]),
  ...sec(7, [3, ...str('crc'), 0, 0, ...str('frames'), 0, 1, ...str('mem'), 2, 0]),
  ...sec(10, [2, ...leb(crc.length), ...crc, ...leb(frames.length), ...frames]),
];
console.log(Buffer.from(Uint8Array.from(mod)).toString('base64'));
