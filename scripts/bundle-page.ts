// The comparison page's script: src/report/html/app.ts and what it imports (the shared chart code in
// src/report/chart/ and the parts of d3 it uses, tree-shaken) bundled into one minified IIFE that
// page.ts inlines. Vite 8 (Rolldown) is already a dev dependency (vitest runs on it), so no other
// bundler is needed. `npm run build` writes the bundle beside dist/src/report/html/page.js; for the tests,
// vitest's globalSetup (test/support/bundle-page-setup.ts) writes it once per run beside the sources, and
// page.ts only reads it.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root, from scripts/ or from dist/scripts/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bundle-page: no package.json above scripts/');
    dir = up;
  }
  return dir;
}

export const BUNDLE_NAME = 'page-app.js';

/** d3 is ISC-licensed: its notice travels with the copy of its code inside every page. */
const BANNER = '/*! tblens comparison page. Includes parts of d3 7 (https://d3js.org), Copyright 2010-2023 Mike Bostock, ISC License. */';

export async function bundlePage(): Promise<string> {
  const { build } = await import('vite');
  const root = repoRoot();
  const result = await build({
    configFile: false,
    envFile: false,
    publicDir: false,
    root,
    logLevel: 'silent',
    build: {
      write: false,
      emptyOutDir: false,
      minify: true,
      target: 'es2020',
      sourcemap: false,
      lib: { entry: join(root, 'src', 'report', 'html', 'app.ts'), formats: ['iife'], name: 'tblensPage', fileName: () => BUNDLE_NAME },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
  const chunk = outputs.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('bundle-page: vite produced no script');
  return `${BANNER}\n${chunk.code}`;
}

// `node dist/scripts/bundle-page.js OUT`: what `npm run build` runs.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = resolve(process.argv[2] ?? join(repoRoot(), 'dist', 'src', 'report', 'html', BUNDLE_NAME));
  const code = await bundlePage();
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, code);
  console.log(`bundle-page: ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}
