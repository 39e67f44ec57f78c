// `npm run lint`: typescript-eslint's recommended rules, no import cycles (types included), and the one-way stage flow
// (a module imports only from stages to its left; product code never imports test support).
import js from '@eslint/js';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import tseslint from 'typescript-eslint';

/** The stages, left to right. A file in one may import from itself and from stages to its left only. */
const STAGES = ['io', 'tfrecord', 'events', 'identity', 'weights', 'runs', 'detect', 'lint', 'analyze', 'report', 'cli'];
const SRC = resolve('src');

/** Stage index of a path under src/ (src/index.ts, the public API, sits right of every stage); undefined outside src/. */
function stageOf(file) {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return undefined;
  const top = rel.split(sep)[0];
  if (top === 'index.ts' || top === 'index.js') return STAGES.length;
  const i = STAGES.indexOf(top);
  return i < 0 ? undefined : i;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\b[^'"]*?\bfrom\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g;

/** Target file of a relative import (`./x.js` names `./x.ts` under NodeNext). */
function resolveImport(file, spec) {
  const target = resolve(dirname(file), spec);
  return target.endsWith('.js') ? target.slice(0, -3) + '.ts' : target;
}

let graph;
/** src/'s import graph (type-only imports included: a cycle of types is still a tangle), read once per lint run. */
function importGraph() {
  if (graph) return graph;
  graph = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const text = readFileSync(path, 'utf8');
        const targets = new Set();
        for (const m of text.matchAll(IMPORT)) {
          const spec = m[1] ?? m[2];
          if (spec.startsWith('.')) targets.add(resolveImport(path, spec));
        }
        graph.set(path, targets);
      }
    }
  };
  walk(SRC);
  return graph;
}

/** The import chain from `from` back to `to`, or undefined when `to` is not reachable. */
function chainBetween(from, to) {
  const g = importGraph();
  const previous = new Map([[from, undefined]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift();
    if (at === to) {
      const chain = [];
      for (let p = at; p !== undefined; p = previous.get(p)) chain.unshift(relative(SRC, p));
      return chain;
    }
    for (const next of g.get(at) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  return undefined;
}

const noCycle = {
  meta: { type: 'problem', docs: { description: 'no import cycles in src/, type-only imports included' }, schema: [] },
  create(context) {
    const file = context.filename;
    if (/\.test\.ts$/.test(file) || relative(SRC, file).startsWith('..')) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const chain = chainBetween(resolveImport(file, spec), file);
      if (chain) context.report({ node, message: `import cycle: ${relative(SRC, file)} → ${chain.join(' → ')}` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
    };
  },
};

const stageFlow = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the stage flow: bytes → records → events → runs → findings → analysis → reports' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    if (/\.test\.ts$/.test(file)) return {};
    const from = stageOf(file);
    if (from === undefined) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + sep)) {
        context.report({ node, message: `product code must not import ${spec} (outside src/: test support, bench and scripts are not shipped)` });
        return;
      }
      const to = stageOf(target);
      if (to !== undefined && to > from) {
        context.report({ node, message: `src/${STAGES[from] ?? 'index.ts'} must not import from a later stage (src/${STAGES[to]}): ${spec}` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default tseslint.config(
  // The page's hand-written browser scripts are type-checked by tsc (checkJs) until they become bundled TypeScript.
  { ignores: ['src/report/html/page-app.js', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'bench/out/**', 'reports/**', 'demo-out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        WebAssembly: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        globalThis: 'readonly',
      },
    },
    plugins: { tblens: { rules: { 'stage-flow': stageFlow, 'no-cycle': noCycle } } },
    rules: {
      'tblens/stage-flow': 'error',
      // TypeScript itself reports undefined names (and knows the DOM and Node globals); the core rule only guesses.
      'no-undef': 'off',
      'tblens/no-cycle': 'error',
      // `_`-prefixed names are deliberate placeholders (callback positions, destructuring that drops a field).
      // `ok && run()` and `a ? f() : g()` as statements are the house style for small branches.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests read parsed JSON and mock streams; `any` there is the honest type.
    files: ['**/*.test.ts', 'test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
