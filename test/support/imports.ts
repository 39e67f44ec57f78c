// Reading import statements without a parser, for the architecture and package tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// `import … from '…'`, `export … from '…'` (type-only ones too: a cycle of types is still a tangle),
// `import '…'` and `import('…')`. Statements start a line, so a `from '…'` inside a string or comment is not read.
const IMPORT = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*'([^']+)'|^\s*import\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;

/** Specifiers imported by a module's text. */
export function importsOf(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The product modules under `dir`: every `.ts` file that is not a `*.test.ts`. */
export function productFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) productFiles(path, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The npm package a bare specifier names (`protobufjs/minimal.js` → `protobufjs`, `@scope/x/y` → `@scope/x`). */
export function packageName(spec: string): string {
  return spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
}
