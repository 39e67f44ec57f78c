// The import rules of docs/architecture.md as a test (#15 "an import rule that rejects cycles and imports
// against the flow"): no import plugin is installed, so this reads src/'s import statements with a regex,
// builds the file graph and checks it. eslint.config.js's tblens/no-cycle and tblens/stage-flow rules say
// the same inside `npm run lint`; this test keeps the rules in `npm test` too, prints every offence at once,
// and proves with synthetic graphs that the checks can fail.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, packageName, productFiles } from './support/imports.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** The stages, left to right (docs/architecture.md, "The stages"); `index.ts` is the public API right of them all. */
const STAGES = ['io', 'tfrecord', 'events', 'identity', 'weights', 'runs', 'detect', 'lint', 'analyze', 'report', 'cli', 'index.ts'] as const;
type Stage = (typeof STAGES)[number];

/**
 * What each stage may import besides itself: the stages to its left, no more. Written out (not computed) so a
 * change of the flow is a visible edit here; derived from docs/architecture.md and checked against today's
 * imports, which all fit (e.g. runs → weights for linking LoRA files, weights → identity for the `ss_*`
 * metadata, detect → tfrecord for the damage kinds, lint → detect for the thresholds).
 */
const ALLOWED: Record<Stage, readonly Stage[]> = {
  io: [],
  tfrecord: ['io'],
  events: ['io', 'tfrecord'],
  identity: ['io', 'tfrecord', 'events'],
  weights: ['io', 'tfrecord', 'events', 'identity'],
  runs: ['io', 'tfrecord', 'events', 'identity', 'weights'],
  detect: ['io', 'tfrecord', 'events', 'identity', 'weights', 'runs'],
  lint: ['io', 'tfrecord', 'events', 'identity', 'weights', 'runs', 'detect'],
  analyze: ['io', 'tfrecord', 'events', 'identity', 'weights', 'runs', 'detect', 'lint'],
  report: ['io', 'tfrecord', 'events', 'identity', 'weights', 'runs', 'detect', 'lint', 'analyze'],
  cli: ['io', 'tfrecord', 'events', 'identity', 'weights', 'runs', 'detect', 'lint', 'analyze', 'report'],
  'index.ts': ['io', 'tfrecord', 'events', 'identity', 'weights', 'runs', 'detect', 'lint', 'analyze', 'report', 'cli'],
};

/** An import graph: file (path relative to the repository, `/`-separated) → the specifiers it imports, resolved. */
export type Graph = Map<string, Import[]>;
interface Import {
  spec: string;
  /** Repository-relative target of a relative import (`./x.js` names `./x.ts` under NodeNext); undefined for a package. */
  target?: string;
}

const posix = (p: string) => p.split(sep).join('/');

/** src/'s graph of product (non-test) modules. */
function srcGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of productFiles(SRC)) {
    const imports = importsOf(readFileSync(file, 'utf8')).map((spec): Import => {
      if (!spec.startsWith('.')) return { spec };
      const abs = resolve(dirname(file), spec);
      const ts = abs.replace(/\.js$/, '.ts');
      return { spec, target: posix(relative(ROOT, existsSync(ts) ? ts : abs)) };
    });
    graph.set(posix(relative(ROOT, file)), imports);
  }
  return graph;
}

/** Every import cycle, one path per strongly connected component (Tarjan), as `a → b → … → a`. */
export function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const next = (f: string) => (graph.get(f) ?? []).map((i) => i.target).filter((t): t is string => t !== undefined && graph.has(t));
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = new Set<string>();
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.add(w);
    } while (w !== v);
    if (component.size === 1 && !next(v).includes(v)) return;
    // The shortest way from v back to v inside the component.
    const previous = new Map<string, string>();
    const queue = [v];
    search: while (queue.length > 0) {
      const at = queue.shift()!;
      for (const to of next(at)) {
        if (!component.has(to)) continue;
        if (to === v) {
          const path = [v];
          for (let p: string | undefined = at; p !== v && p !== undefined; p = previous.get(p)) path.splice(1, 0, p);
          found.push([...path, v]);
          break search;
        }
        if (!previous.has(to)) {
          previous.set(to, at);
          queue.push(to);
        }
      }
    }
  };
  for (const f of [...graph.keys()].sort()) if (!index.has(f)) visit(f);
  return found;
}

/** The stage of a repository-relative path under src/ (`src/<stage>/…` or `src/index.ts`); undefined elsewhere. */
function stageOf(path: string): Stage | 'unknown' | undefined {
  if (!path.startsWith('src/')) return undefined;
  const top = path.slice(4).split('/')[0];
  return (STAGES as readonly string[]).includes(top) ? (top as Stage) : 'unknown';
}

/** Imports against the flow, and product imports of anything outside src/ (test support, bench, scripts). */
export function flowViolations(graph: Graph, allowed: Record<Stage, readonly Stage[]> = ALLOWED): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    const from = stageOf(file);
    if (from === 'unknown') out.push(`${file}: not in a known stage (add its folder to STAGES and ALLOWED)`);
    if (from === undefined || from === 'unknown') continue;
    for (const { spec, target } of imports) {
      if (target === undefined) continue;
      const to = stageOf(target);
      if (to === undefined) out.push(`${file} imports ${spec}: outside src/ (${target}; test support, bench and scripts are not shipped)`);
      else if (to !== 'unknown' && to !== from && !allowed[from].includes(to)) out.push(`${file} imports ${spec}: ${from} may not import from ${to}`);
    }
  }
  return out;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };

describe('src/ import graph (docs/architecture.md)', () => {
  const graph = srcGraph();

  it('reads the graph (sanity: the files and edges are there)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/cli/main.ts')?.some((i) => i.target?.startsWith('src/'))).toBe(true);
  });

  it('has no import cycle', () => {
    expect(cycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('imports only along the flow, and nothing outside src/', () => {
    expect(flowViolations(graph)).toEqual([]);
  });

  it('product code imports only Node built-ins and runtime dependencies (no dev dependency such as vitest or fast-check)', () => {
    const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
    const builtins = new Set(builtinModules);
    const bad = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((i) => i.target === undefined && !i.spec.startsWith('node:') && !builtins.has(i.spec) && !runtime.has(packageName(i.spec)))
        .map((i) => `${file} imports ${i.spec}`),
    );
    expect(bad).toEqual([]);
  });

  it("ALLOWED is the stage order and matches eslint.config.js's STAGES (the lint rule and this test agree)", () => {
    STAGES.forEach((s, i) => expect(ALLOWED[s], s).toEqual(STAGES.slice(0, i)));
    const lintStages = /const STAGES = \[([^\]]*)\]/.exec(readFileSync(join(ROOT, 'eslint.config.js'), 'utf8'))?.[1];
    expect(lintStages?.match(/'[^']+'/g)?.map((s) => s.slice(1, -1))).toEqual(STAGES.filter((s) => s !== 'index.ts'));
  });
});

describe('the checks fail when they should (synthetic graphs)', () => {
  const g = (edges: Record<string, string[]>): Graph =>
    new Map(
      Object.entries(edges).map(([f, ts]) => [
        f,
        ts.map((t) => ({ spec: t.startsWith('src/') || t.startsWith('test/') ? `./${t}` : t, target: t.includes('/') ? t : undefined })),
      ]),
    );

  it('reads import statements, not strings or comments', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      'import {\n  c,\n  d,\n} from "./not-single-quoted.js";',
      "import {\n  e,\n} from './e.js';",
      "export * from './f.js';",
      "import './side-effect.js';",
      "const d3 = await import('d3');",
      "const s = \"x from './string.js'\"; // from './comment.js'",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a.js', '../b.js', './e.js', './f.js', './side-effect.js', 'd3']);
  });

  it('finds a cycle and prints its path', () => {
    const graph = g({
      'src/runs/a.ts': ['src/runs/b.ts'],
      'src/runs/b.ts': ['src/runs/c.ts'],
      'src/runs/c.ts': ['src/runs/a.ts'],
      'src/runs/d.ts': ['src/runs/a.ts'],
    });
    expect(cycles(graph)).toEqual([['src/runs/a.ts', 'src/runs/b.ts', 'src/runs/c.ts', 'src/runs/a.ts']]);
    expect(cycles(g({ 'src/io/self.ts': ['src/io/self.ts'] }))).toEqual([['src/io/self.ts', 'src/io/self.ts']]);
    expect(cycles(g({ 'src/io/a.ts': ['src/io/b.ts', 'd3'], 'src/io/b.ts': [] }))).toEqual([]);
  });

  it('rejects an import against the flow, from outside src/ and from an unknown folder', () => {
    const graph = g({
      'src/runs/a.ts': ['src/io/x.ts', 'src/runs/b.ts', 'src/report/r.ts'],
      'src/detect/d.ts': ['test/support/craft-records.ts'],
      'src/misc/m.ts': [],
      'src/index.ts': ['src/cli/main.ts'],
    });
    expect(flowViolations(graph)).toEqual([
      'src/runs/a.ts imports ./src/report/r.ts: runs may not import from report',
      'src/detect/d.ts imports ./test/support/craft-records.ts: outside src/ (test/support/craft-records.ts; test support, bench and scripts are not shipped)',
      'src/misc/m.ts: not in a known stage (add its folder to STAGES and ALLOWED)',
    ]);
  });
});
