// The page's plain-JS files carry `// @ts-check` JSDoc types: check them strictly with TypeScript,
// against d3's own types, as an editor would.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const FILES = ['smoothing.js', 'series.js', 'chart.js', 'app.js'].map((f) => fileURLToPath(new URL(`./${f}`, import.meta.url)));

it('browser scripts type-check (strict, checkJs, d3 as the page global)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tblens-checkjs-'));
  try {
    const globals = join(dir, 'globals.d.ts');
    await writeFile(globals, "declare const d3: typeof import('d3');\n");
    const program = ts.createProgram([globals, ...FILES], {
      allowJs: true,
      checkJs: true,
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      typeRoots: [fileURLToPath(new URL('../../../node_modules/@types', import.meta.url))],
      skipLibCheck: true,
    });
    const messages = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(messages).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
