import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from './analyze.js';
import { DEFAULT_CONFIG } from '../detect/config.js';
import { allFindings, displayPath, reportJson, type DiagnosisReport } from './diagnosis-report.js';
import { ANNOTATIONS_PER_SEVERITY, githubSummary, renderGithub, STEP_SUMMARY_LIMIT } from '../report/diagnosis/render-github.js';
import { renderJunit } from '../report/diagnosis/render-junit.js';
import { renderMarkdown } from '../report/diagnosis/render-markdown.js';
import { renderSarif } from '../report/diagnosis/render-sarif.js';
import { renderText } from '../report/diagnosis/render-text.js';

const KOHYA = 'fixtures/kohya';

async function report(paths: string[], weightsDirs: string[] = []): Promise<DiagnosisReport> {
  const r = await analyze(paths, { weightsDirs });
  if (!r.ok) throw new Error(r.error);
  return r.report;
}

let all: DiagnosisReport;
let tmp: string;
beforeAll(async () => {
  all = await report([KOHYA]);
  tmp = await mkdtemp(join(tmpdir(), 'tblens-report-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/**
 * A small XML 1.0 well-formedness check: one root, properly nested and closed elements, quoted
 * attributes without raw `<`, known entities only, no forbidden characters. Returns the element tree.
 */
interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}
function parseXml(xml: string): El {
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) throw new Error('character not allowed in XML 1.0');
  const decode = (s: string) => {
    const bad = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(s);
    if (bad) throw new Error(`bare & at ${bad.index}`);
    return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) =>
      e === 'amp'
        ? '&'
        : e === 'lt'
          ? '<'
          : e === 'gt'
            ? '>'
            : e === 'quot'
              ? '"'
              : e === 'apos'
                ? "'"
                : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
    );
  };
  let i = 0;
  const decl = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (decl) i = decl[0].length;
  const stack: El[] = [];
  let root: El | undefined;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (text.trim() !== '') {
      if (stack.length === 0) throw new Error('text outside the root element');
      stack[stack.length - 1].text += decode(text);
    }
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) throw new Error('unclosed tag');
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`mismatched </${tag.slice(1)}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*\/?$/.exec(tag);
    if (!m) throw new Error(`malformed tag <${tag}>`);
    const el: El = { name: m[1], attrs: {}, children: [], text: '' };
    for (const a of m[2].matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (a[1] in el.attrs) throw new Error(`duplicate attribute ${a[1]}`);
      el.attrs[a[1]] = decode(a[2]);
    }
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else if (root) throw new Error('second root element');
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

describe('the diagnosis report (real pipeline on fixtures/kohya)', () => {
  it('has the versioned shape with the field names of issue 4', () => {
    expect(all.version).toBe(1);
    expect(all.tool.name).toBe('tblens');
    expect(all.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(all.config).toEqual(DEFAULT_CONFIG);
    expect(all.runs.length).toBe(14);
    for (const run of all.runs) {
      expect(Object.keys(run)).toEqual(['run', 'path', 'files', 'identity', 'trainer', 'weights', 'weightsNote', 'stats', 'findings']);
      for (const f of run.findings) {
        // Config findings (the run's own settings, #12) add where in the config file: rule, key, line, column.
        const place = f.kind === 'config' ? ['rule', 'key', 'line', 'column'] : [];
        expect(Object.keys(f)).toEqual([
          'kind',
          'severity',
          'title',
          'run',
          'tag',
          'step',
          'endStep',
          'message',
          'evidence',
          'advice',
          'confidence',
          'file',
          'offset',
          'fingerprint',
          ...place,
        ]);
        expect(f.run).toBe(run.run);
      }
    }
    const names = all.runs.map((r) => r.run);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('explode');
    expect(names).toContain('sweep/adamw');
    const sum = all.runs.flatMap((r) => r.findings).reduce((c, f) => ({ ...c, [f.severity]: c[f.severity] + 1 }), { error: 0, warning: 0, notice: 0 });
    expect(all.counts).toEqual(sum);
  });

  it('links the LoRA file and reads who the run is from its metadata', () => {
    const adamw = all.runs.find((r) => r.run === 'sweep/adamw')!;
    expect(adamw.weights.map((w) => w.path)).toEqual(['fixtures/kohya/sweep/adamw/glypha-adamw.safetensors']);
    expect(adamw.identity.source).toBe('safetensors');
    expect(adamw.identity.optimizer?.name).toBe('AdamW');
    expect(adamw.identity.learningRate).toBe(0.0001);
    expect(adamw.stats.lossProfile?.tag).toBe('loss/current');
    expect(adamw.stats.lossProfile?.points).toBe(3000);
    const empty = all.runs.find((r) => r.run === 'empty')!;
    expect(empty.weights).toEqual([]);
    expect(empty.weightsNote).toMatch(/no weights file/);
  });

  it('reports the labelled failures where issue 4 says they show', () => {
    const kinds = (name: string) => all.runs.find((r) => r.run === name)!.findings.map((f) => `${f.severity} ${f.kind}`);
    expect(kinds('explode')).toContain('error explosion');
    expect(kinds('nan-late')).toContain('error nan_loss');
    expect(kinds('inf-weights-fine-loss')).toContain('error inf_weights');
    expect(kinds('sweep/adamw').filter((k) => !k.startsWith('notice'))).toEqual([]);
  });

  it('is deterministic: the same input gives the same bytes, findings worst first', async () => {
    const again = await report([KOHYA]);
    expect(reportJson(again)).toBe(reportJson(all));
    const order = { error: 0, warning: 1, notice: 2 };
    const flat = allFindings(all);
    for (let i = 1; i < flat.length; i++) expect(order[flat[i - 1].severity]).toBeLessThanOrEqual(order[flat[i].severity]);
    const fp = new Set(flat.map((f) => f.fingerprint));
    expect(fp.size).toBe(flat.length);
  });

  it('writes NaN and Infinity evidence as strings, so the JSON parses', () => {
    const parsed = JSON.parse(reportJson(all));
    expect(parsed.runs.length).toBe(all.runs.length);
  });

  it.skipIf(process.platform === 'win32')('shows problem paths relative to the base, like every other path', async () => {
    const dir = join(tmp, 'problem-paths');
    await cp(join(KOHYA, 'explode', 'glypha-explode-20261129140407'), join(dir, 'run'), { recursive: true });
    await symlink('.', join(dir, 'run', 'loop'));
    const r = await analyze([dir], { base: dir });
    if (!r.ok) throw new Error(r.error);
    expect(r.report.problems).toEqual([{ path: 'run/loop', message: 'skipped (symlink loop or repeated directory)' }]);
  });

  it('keeps a path under a directory whose name starts with two dots relative', () => {
    const base = join(tmp, 'base');
    expect(displayPath(join(base, '..cache', 'events.out.tfevents.1'), base)).toBe('..cache/events.out.tfevents.1');
    expect(displayPath(join(base, '..', 'x'), base)).toBe(join(tmp, 'x').split(sep).join('/'));
  });

  it('lists the checks that passed and those that did not apply', () => {
    const adamw = all.checksPassed.find((c) => c.run === 'sweep/adamw')!;
    expect(adamw.kinds).toEqual(expect.arrayContaining(['nan_loss', 'explosion', 'nan_weights', 'inf_weights', 'zero_weights']));
    expect(all.checksSkipped).toContainEqual(expect.objectContaining({ run: 'empty', kind: 'nan_weights' }));
    expect(all.checksSkipped.some((s) => s.run === 'sweep/adamw' && s.kind === 'nan_weights')).toBe(false);
  });
});

describe('JUnit', () => {
  it('is well-formed XML with one testsuite per run and counts that match its testcases', () => {
    const root = parseXml(renderJunit(all));
    expect(root.name).toBe('testsuites');
    const suites = root.children.filter((c) => c.name === 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(all.runs.map((r) => r.run));
    let failures = 0;
    for (const s of suites) {
      const cases = s.children.filter((c) => c.name === 'testcase');
      expect(Number(s.attrs.tests)).toBe(cases.length);
      const failed = cases.filter((c) => c.children.some((x) => x.name === 'failure')).length;
      expect(Number(s.attrs.failures)).toBe(failed);
      expect(Number(s.attrs.skipped)).toBe(cases.filter((c) => c.children.some((x) => x.name === 'skipped')).length);
      for (const c of cases) expect(c.attrs.classname).toMatch(/^tblens\.[a-z_]+$/);
      failures += failed;
    }
    expect(Number(root.attrs.failures)).toBe(failures);
    const explode = suites.find((s) => s.attrs.name === 'explode')!;
    const failure = explode.children.flatMap((c) => c.children).find((x) => x.name === 'failure' && x.attrs.type === 'explosion');
    expect(failure?.text).toContain('Try:');
  });

  it('counts warnings as failures only with --fail-on warning', () => {
    const withWarnings = all.runs.filter((r) => r.findings.some((f) => f.severity === 'warning')).length;
    expect(withWarnings).toBeGreaterThan(0);
    const strict = parseXml(renderJunit(all, { failOn: 'warning' }));
    const lax = parseXml(renderJunit(all));
    expect(Number(strict.attrs.failures)).toBeGreaterThan(Number(lax.attrs.failures));
  });
});

describe('SARIF 2.1.0', () => {
  it('has the required fields, a rule for every result and levels from the severity map', () => {
    const log = JSON.parse(renderSarif(all, { srcRoot: process.cwd() }).text);
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('tblens');
    const ruleIds: string[] = run.tool.driver.rules.map((r: any) => r.id);
    for (const r of run.tool.driver.rules) {
      expect(r.shortDescription.text).toBeTruthy();
      expect(['error', 'warning', 'note']).toContain(r.defaultConfiguration.level);
    }
    const flat = allFindings(all);
    expect(run.results).toHaveLength(flat.length);
    run.results.forEach((res: any, i: number) => {
      expect(res.ruleId).toBe(flat[i].kind);
      expect(ruleIds[res.ruleIndex]).toBe(res.ruleId);
      expect(res.level).toBe({ error: 'error', warning: 'warning', notice: 'note' }[flat[i].severity]);
      expect(res.message.text.length).toBeGreaterThan(0);
      expect(res.partialFingerprints['tblensFinding/v1']).toBe(flat[i].fingerprint);
      expect(res.partialFingerprints.primaryLocationLineHash).toMatch(new RegExp(`^${flat[i].fingerprint}:[1-9][0-9]*$`));
      const { artifactLocation, region } = res.locations[0].physicalLocation;
      expect(artifactLocation.uri).toMatch(/^fixtures\/kohya\//);
      expect(artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(region).toEqual({ startLine: 1 });
    });
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });
});

describe('GitHub workflow commands', () => {
  it('escapes %, CR, LF, : and , in properties and % CR LF in messages, on a real run with a hostile name', async () => {
    const dir = join(tmp, 'odd');
    const name = process.platform === 'win32' ? 'run 100%, a' : 'run: 100%, a\nb';
    await cp(join(KOHYA, 'explode'), join(dir, name), { recursive: true });
    const rep = await report([join(dir, name)]);
    expect(rep.runs[0].run).toBe(name);
    const log = renderGithub(rep, { base: process.cwd() }).log;
    const first = log.split('\n').find((l) => l.startsWith('::error '))!;
    const props = first.slice('::error '.length, first.indexOf('::', 2));
    // Inside the property list, only the separators between properties may be raw commas / colons.
    expect(props.split(',').every((p) => /^(file|title)=/.test(p))).toBe(true);
    expect(props).toContain(process.platform === 'win32' ? 'run 100%25%2C a' : 'run%3A 100%25%2C a%0Ab');
    expect(first).not.toMatch(/[\r]/);
    expect(
      log
        .split('\n')
        .filter((l) => l.startsWith('::'))
        .every((l) => /^::(error|warning|notice)( [^:]*)?::/.test(l)),
    ).toBe(true);
  });

  it('links a file under a workspace directory whose name starts with two dots', () => {
    const rep = JSON.parse(JSON.stringify(all)) as DiagnosisReport;
    const f = rep.runs.flatMap((r) => r.findings).find((x) => x.severity === 'error')!;
    f.file = '..cache/events.out.tfevents.1';
    const first = renderGithub(rep, { base: tmp, workspace: tmp })
      .log.split('\n')
      .find((l) => l.startsWith('::error '))!;
    expect(first).toContain('file=..cache/events.out.tfevents.1,');
  });

  it('emits at most 10 annotations per severity, worst first, and points to the summary for the rest', async () => {
    // Many real runs: the fixture root given six times (names made unique, weights then ambiguous and unlinked).
    const rep = await report(Array(6).fill(KOHYA));
    expect(rep.counts.error).toBeGreaterThan(ANNOTATIONS_PER_SEVERITY);
    const lines = renderGithub(rep, { summary: true }).log.trimEnd().split('\n');
    const cmds = lines.filter((l) => l.startsWith('::'));
    const sev = cmds.map((l) => /^::(\w+)/.exec(l)![1]);
    for (const s of ['error', 'warning', 'notice']) expect(sev.filter((x) => x === s).length).toBeLessThanOrEqual(ANNOTATIONS_PER_SEVERITY);
    expect(sev.filter((x) => x === 'error')).toHaveLength(ANNOTATIONS_PER_SEVERITY);
    const rank = { error: 0, warning: 1, notice: 2 } as Record<string, number>;
    for (let i = 1; i < sev.length; i++) expect(rank[sev[i - 1]]).toBeLessThanOrEqual(rank[sev[i]]);
    const overflow = lines.find((l) => !l.startsWith('::') && /not shown as annotations/.test(l));
    expect(overflow).toMatch(new RegExp(`${rep.counts.error - ANNOTATIONS_PER_SEVERITY} errors`));
    expect(overflow).toMatch(/job summary/);
  });

  it('keeps the step summary within what the 1024 KiB file can still take, table first', () => {
    const full = githubSummary(all, 0);
    expect(full).toContain('| run | verdict |');
    expect(full).toContain('<details>');
    const room = 6000;
    const tight = githubSummary(all, STEP_SUMMARY_LIMIT - room);
    expect(Buffer.byteLength(tight)).toBeLessThanOrEqual(room);
    expect(tight).toContain('| run | verdict |');
    expect(githubSummary(all, STEP_SUMMARY_LIMIT)).toBe('');
    for (const budget of [300, 2000, 20000]) expect(Buffer.byteLength(renderMarkdown(all, { budgetBytes: budget }))).toBeLessThanOrEqual(budget);
  });
});

describe('text', () => {
  it('gives each run a verdict line, a sparkline and its identity; no escape codes without colour', () => {
    const text = renderText(all, { color: false });
    expect(text).not.toContain('\u001b');
    expect(text).toMatch(/^✗ FAILED +explode +/m);
    expect(text).toMatch(/^✓ OK +sweep\/adamw/m);
    expect(text).toMatch(/loss\/current +[▁▂▃▄▅▆▇█]{48} /);
    // nan-late: NaN from step 1607 of 2000 fills the last ~20 % of the buckets with ×, never averaged away.
    const nanLate = all.runs.find((r) => r.run === 'nan-late')!.stats.lossProfile!;
    expect(nanLate.nonFinite).toBe(394);
    expect(nanLate.nonFiniteBuckets).toEqual([38, 39, 40, 41, 42, 43, 44, 45, 46, 47]);
    expect(text).toMatch(/loss\/current +[▁▂▃▄▅▆▇█]{38}×{10} /);
    // explode: the last buckets sit at the top of the scale, the first at the bottom.
    expect(text).toMatch(/loss\/current +▁[▁▂▃▄▅▆▇█]{38}█{9} .*\n.*lr 0\.05/);
    expect(text).toMatch(/AdamW\(weight_decay=0\.01,betas=\(0\.9, 0\.999\)\) · lr 1e-4/);
    expect(text).toMatch(/ try: /);
    expect(renderText(all, { color: true })).toContain('\u001b[31m');
  });
});

describe('fingerprints of file-level findings', () => {
  it('differ for two damaged files of one run and stay equal for the same file', async () => {
    const { fingerprint } = await import('./diagnosis-report.js');
    const base = { kind: 'crc_error' as const, run: 'r', tag: null, step: null, endStep: null };
    const a = fingerprint({ ...base, file: 'logs/r/events.out.tfevents.1.h.1.0', offset: 100 });
    const b = fingerprint({ ...base, file: 'logs/r/events.out.tfevents.2.h.1.0', offset: 100 });
    expect(a).not.toBe(b);
    expect(fingerprint({ ...base, file: '/elsewhere/r/events.out.tfevents.1.h.1.0', offset: 100 })).toBe(a);
    // Step-based findings keep the fingerprint they had (no file in it).
    const step = { kind: 'explosion' as const, run: 'r', tag: 'loss/current', step: 5, endStep: 9 };
    expect(fingerprint({ ...step, file: 'x' })).toBe(fingerprint(step));
  });
});
