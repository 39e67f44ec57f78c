import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeFileVersionEvent, encodeScalarEvent } from '../src/events/encode-event.js';
import { writeRecordFile } from '../src/tfrecord/write-records.js';
import { analyze } from '../src/analyze/analyze.js';
import { KIND_TITLES } from '../src/analyze/diagnosis-report.js';
import { annotation } from '../src/report/diagnosis/render-github.js';
import { renderJunit } from '../src/report/diagnosis/render-junit.js';
import { renderSarif } from '../src/report/diagnosis/render-sarif.js';
import { sourceRoot } from '../src/report/diagnosis/source-root.js';
import { KOHYA_ROOT, SHARED_KOHYA_ROOT } from './support/detect-fixtures.js';
import { cli, PLAIN } from './support/cli.js';
import { junitCounts, junitXsdErrors, parseWorkflowCommand, sarifSchemaErrors, uploadSarifErrors } from './support/validators.js';

/**
 * Issue 13: every CI output checked by a consumer nobody here wrote — ajv with the SARIF 2.1.0 schema,
 * upload-sarif's own checks, libxml2 with the Jenkins xunit JUnit XSD, junit2json (xml2js), @actions/core's
 * escaping and the runner's command grammar, strict JSON.parse — on the fixtures, exit-2 cases and hostile names.
 */

/** Everything a hostile name can try: a line break, a workflow command, an escape sequence, CDATA's end, NUL. */
const HOSTILE = 'x\n::error::pwned\u001b[31m<]]>&\u0000end';
/** The lr tag: all of it but the line break (kohya's `lr/<group>` pattern is one line); the run directory carries that. */
const HOSTILE_TAG = `lr/${HOSTILE.replace('\n', ' ')}`;

let tmp: string;
let hostileRoot: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tblens-ci-outputs-'));
  // A real-format run whose lr tag is hostile (NUL cannot be in a file name, so the tag carries it) and
  // whose learning rate goes negative (an lr_schedule error naming the tag); its directory name is hostile too.
  // eslint-disable-next-line no-control-regex -- NUL is the character removed here
  const dirName = process.platform === 'win32' ? 'run 100%, <]]> a' : `run ${HOSTILE.replace(/\u0000/g, '')}`;
  // Given as the path itself, so the run is named after the hostile directory.
  hostileRoot = join(tmp, 'hostile', dirName);
  const runDir = hostileRoot;
  await mkdir(runDir, { recursive: true });
  const events = function* () {
    yield encodeFileVersionEvent(1_700_000_000);
    for (let s = 1; s <= 300; s++) {
      yield encodeScalarEvent(1_700_000_000 + s, s, 'loss/current', 0.1 + ((s * 7919) % 97) / 2000);
      yield encodeScalarEvent(1_700_000_000 + s, s, HOSTILE_TAG, s > 200 ? -1e-4 : 1e-4);
    }
  };
  await writeRecordFile(join(runDir, 'events.out.tfevents.1700000000.host.1.0'), events());
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function sarifOf(paths: string[], env: Record<string, string | undefined> = {}) {
  const r = await cli(['check', ...paths, '--format', 'sarif'], { ...PLAIN, GITHUB_WORKSPACE: process.cwd(), ...env });
  return { ...r, log: JSON.parse(r.stdout) };
}

function expectValidSarif(log: unknown) {
  expect(sarifSchemaErrors(log)).toEqual([]);
  expect(uploadSarifErrors(log)).toEqual([]);
}

async function expectValidJunit(xml: string) {
  expect(await junitXsdErrors(xml)).toEqual([]);
  const c = await junitCounts(xml);
  // The counts the document states are the counts a reporter finds.
  expect(c.tests).toBe(c.cases);
  expect(c.failures).toBe(c.caseFailures);
  expect(c.errors).toBe(c.caseErrors);
  expect(c.skipped).toBe(c.caseSkipped);
  return c;
}

describe('SARIF: OASIS schema (ajv) and upload-sarif checks', () => {
  it('the fixtures: valid, one result per finding, every result placed (line) and tracked (primaryLocationLineHash)', async () => {
    const { code, log } = await sarifOf([KOHYA_ROOT]);
    expect(code).toBe(1);
    expectValidSarif(log);
    const json = JSON.parse((await cli(['check', KOHYA_ROOT, '--format', 'json'], PLAIN)).stdout);
    const findings = json.runs.flatMap((r: any) => r.findings);
    const run = log.runs[0];
    expect(run.results).toHaveLength(findings.length);
    expect(run.results.length).toBeGreaterThan(10);
    expect(fileURLToPath(run.originalUriBaseIds['%SRCROOT%'].uri)).toBe(join(process.cwd(), sep));
    for (const r of run.results) {
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      // The URI resolves against %SRCROOT% to a file that exists.
      expect(existsSync(fileURLToPath(new URL(loc.artifactLocation.uri, run.originalUriBaseIds['%SRCROOT%'].uri)))).toBe(true);
      expect(loc.region.startLine).toBe(1);
    }
    // Rules come from the kind list: one per kind, PascalCase names, with the texts GitHub requires.
    expect(run.tool.driver.rules.map((r: any) => r.id).sort()).toEqual(Object.keys(KIND_TITLES).sort());
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    for (const rule of run.tool.driver.rules) expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    // Stable across re-runs: the same fingerprints again.
    const again = (await sarifOf([KOHYA_ROOT])).log;
    expect(again.runs[0].results.map((r: any) => r.partialFingerprints)).toEqual(run.results.map((r: any) => r.partialFingerprints));
  });

  it('the shared fixture set (incl. sweep-big): valid', async () => {
    if (!existsSync(SHARED_KOHYA_ROOT)) return;
    const r = await analyze([SHARED_KOHYA_ROOT]);
    if (!r.ok) throw new Error(r.error);
    const { text, outside } = renderSarif(r.report, { srcRoot: resolve(SHARED_KOHYA_ROOT, '..') });
    expect(outside).toEqual([]);
    const log = JSON.parse(text);
    expectValidSarif(log);
    expect(log.runs[0].results.length).toBe(r.report.runs.reduce((a, x) => a + x.findings.length, 0));
    const junit = await expectValidJunit(renderJunit(r.report));
    expect(junit.suites).toBe(r.report.runs.length + (r.report.problems.length > 0 ? 1 : 0));
  });

  it('URIs are relative to $GITHUB_WORKSPACE, not the working directory (run from a subfolder with GITHUB_WORKSPACE=..)', async () => {
    const { log } = await sarifOf([`${KOHYA_ROOT}/explode`], { GITHUB_WORKSPACE: '..' });
    const run = log.runs[0];
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toMatch(/\/$/);
    expect(fileURLToPath(run.originalUriBaseIds['%SRCROOT%'].uri)).toBe(join(resolve('..'), sep));
    for (const r of run.results)
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(new RegExp(`^${basename(process.cwd())}/fixtures/kohya/explode/`));
    expectValidSarif(log);
  });

  it('files outside %SRCROOT% become absolute file: URIs, with a warning on stderr', async () => {
    const { log, stderr } = await sarifOf([`${KOHYA_ROOT}/explode`], { GITHUB_WORKSPACE: tmp });
    for (const r of log.runs[0].results) {
      const loc = r.locations[0].physicalLocation.artifactLocation;
      expect(loc.uriBaseId).toBeUndefined();
      expect(statSync(fileURLToPath(loc.uri)).isFile()).toBe(true);
    }
    expect(stderr).toMatch(/outside %SRCROOT%/);
    expectValidSarif(log);
  });

  it('%SRCROOT% without GITHUB_WORKSPACE is the directory holding .git (a file in a worktree), found without git', async () => {
    const repo = join(tmp, 'repo');
    await mkdir(join(repo, 'a', 'b'), { recursive: true });
    await writeFile(join(repo, '.git'), 'gitdir: elsewhere\n');
    expect(sourceRoot({}, join(repo, 'a', 'b'))).toBe(repo);
    expect(sourceRoot({ GITHUB_WORKSPACE: join(repo, 'a') }, join(repo, 'a', 'b'))).toBe(join(repo, 'a'));
    const bare = join(tmp, 'no-repo');
    await mkdir(bare, { recursive: true });
    if (!existsSync(join(tmpdir(), '.git')) && !existsSync(join(resolve('/'), '.git'))) expect(sourceRoot({}, bare)).toBe(bare);
  });

  it('hostile names: valid URI references (percent-encoded) that decode back to the real file', async () => {
    const { code, log } = await sarifOf([hostileRoot], { GITHUB_WORKSPACE: tmp });
    expect(code).toBe(1);
    expectValidSarif(log);
    const run = log.runs[0];
    expect(run.results.some((r: any) => r.ruleId === 'lr_schedule' && r.properties.tag === HOSTILE_TAG)).toBe(true);
    for (const r of run.results) {
      const loc = r.locations[0].physicalLocation.artifactLocation;
      // eslint-disable-next-line no-control-regex -- control characters are what this assertion looks for
      expect(loc.uri).not.toMatch(/[\s\u0000-\u001f]/);
      expect(statSync(fileURLToPath(new URL(loc.uri, run.originalUriBaseIds['%SRCROOT%'].uri))).isFile()).toBe(true);
    }
  });

  it('exit 2: executionSuccessful false with the reason, still accepted by the schema and upload-sarif', async () => {
    const out = join(tmp, 'fail.sarif');
    const r = await cli(['check', join(tmp, 'nope'), '--format', 'sarif', '-o', out], PLAIN);
    expect(r.code).toBe(2);
    const log = JSON.parse(await readFile(out, 'utf8'));
    expectValidSarif(log);
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications[0]).toMatchObject({ level: 'error', message: { text: expect.stringContaining('nope') } });
    expect(log.runs[0].results).toEqual([]);
  });
});

describe('JUnit: Jenkins xunit XSD (libxml2) and junit2json', () => {
  it('the fixtures: valid, and the counts every parser reads agree', async () => {
    for (const failOn of ['error', 'warning']) {
      const r = await cli(['check', KOHYA_ROOT, '--format', 'junit', '--fail-on', failOn], PLAIN);
      const c = await expectValidJunit(r.stdout);
      expect(c.failures).toBeGreaterThan(0);
      expect(c.caseSkipped).toBeGreaterThan(0);
    }
  });

  it('regression: <testsuites skipped> is what the xunit schema rejects', async () => {
    const ok = (await cli(['check', `${KOHYA_ROOT}/explode`, '--format', 'junit'], PLAIN)).stdout;
    expect(await junitXsdErrors(ok.replace('<testsuites name="tblens"', '<testsuites name="tblens" skipped="0"'))).not.toEqual([]);
  });

  it('exit 2: one <error>, valid', async () => {
    const r = await cli(['check', join(tmp, 'nope'), '--format', 'junit'], PLAIN);
    expect(r.code).toBe(2);
    const c = await expectValidJunit(r.stdout);
    expect(c.caseErrors).toBe(1);
  });

  it('hostile names: valid XML, and what XML cannot hold (NUL, ESC) is kept in a property', async () => {
    const r = await cli(['check', hostileRoot, '--format', 'junit'], PLAIN);
    expect(r.code).toBe(1);
    const c = await expectValidJunit(r.stdout);
    const props = Object.entries(c.properties[0]);
    const original = props.find(([k]) => k.startsWith('tblens.originalName.lr_schedule'));
    expect(original).toBeDefined();
    expect(JSON.parse(original![1])).toBe(`lr_schedule ${HOSTILE_TAG}`);
    // The suite (run) name held ESC: its original is kept too.
    expect(JSON.parse(c.properties[0]['tblens.originalName'])).toBe(basename(hostileRoot));
  });
});

describe('JSON: strict parse', () => {
  it('exit 2 with -o writes a failure report (the error, no runs), not a 0-byte file', async () => {
    const out = join(tmp, 'r.json');
    const r = await cli(['check', join(tmp, 'nope'), '--format', 'json', '-o', out], PLAIN);
    expect(r.code).toBe(2);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect(doc).toMatchObject({ version: 1, runs: [], error: expect.stringContaining('nope'), counts: { error: 0, warning: 0, notice: 0 } });
  });

  it('hostile names survive a strict parse unchanged', async () => {
    const doc = JSON.parse((await cli(['check', hostileRoot, '--format', 'json'], PLAIN)).stdout);
    expect(doc.runs[0].findings.some((f: any) => f.tag === HOSTILE_TAG)).toBe(true);
    if (process.platform !== 'win32') expect(doc.runs[0].run).toContain('\n::error::pwned');
  });
});

describe('GitHub workflow commands: @actions/core escaping and the runner grammar', () => {
  it('escapes properties and data exactly as @actions/core does', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
    try {
      for (const text of [HOSTILE, 'a%b,c:d', '100%25 %0A', '\r\n']) {
        core.error(text, { file: text, title: text });
        const theirs = parseWorkflowCommand(lines.pop()!.replace(/\r?\n$/, ''))!;
        const ours = annotation('error', text, { file: text, title: text });
        const raw = ours.slice(ours.indexOf(' ') + 1, ours.indexOf('::', 2)).split(',');
        expect(parseWorkflowCommand(ours)).toEqual(theirs);
        // Byte for byte: each escaped property and the escaped data equal the toolkit's.
        core.error(text, { file: text });
        const file = lines.pop()!.replace(/\r?\n$/, '');
        expect(raw[0]).toBe(file.slice('::error '.length, file.indexOf('::', 2)));
        expect(ours.slice(ours.indexOf('::', 2))).toBe(file.slice(file.indexOf('::', 2)));
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('a hostile run: every output line that starts with :: is one of our commands, and nothing else gets in', async () => {
    const r = await cli(['check', hostileRoot, '--format', 'github'], PLAIN);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    const commands = lines.filter((l) => l.startsWith('::'));
    expect(commands.length).toBeGreaterThan(0);
    for (const l of commands) {
      const c = parseWorkflowCommand(l)!;
      expect(['error', 'warning', 'notice']).toContain(c.command);
      expect(Object.keys(c.properties).every((k) => k === 'file' || k === 'title')).toBe(true);
    }
    // The only "::error::" text is inside escaped data, never at a line start.
    expect(lines.filter((l) => l.includes('::error::pwned')).every((l) => !l.startsWith('::error::pwned'))).toBe(true);
    expect(r.stdout).not.toContain('\r');
  });

  it('job summary: a blank line before "Checks passed", passed checks grouped, and the error on exit 2', async () => {
    const summary = join(tmp, 'summary.md');
    await writeFile(summary, '');
    await cli(['check', `${KOHYA_ROOT}/sweep`, '--format', 'github'], { ...PLAIN, GITHUB_STEP_SUMMARY: summary });
    const md = await readFile(summary, 'utf8');
    expect(md).toMatch(/\n\n### Checks passed\n/);
    const section = md.slice(md.indexOf('### Checks passed'));
    // The four sweep runs passed the same checks: one line, not four.
    expect(section.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(1);
    expect(section).toMatch(/: all 4 runs$/m);
    await writeFile(summary, '');
    const failed = await cli(['check', join(tmp, 'nope'), '--format', 'github'], { ...PLAIN, GITHUB_STEP_SUMMARY: summary });
    expect(failed.code).toBe(2);
    expect(await readFile(summary, 'utf8')).toMatch(/could not analyse[\s\S]*nope/);
  });
});

describe('export: -0 and the shared run names', () => {
  it('writes -0 as -0 in CSV, JSON and JSON lines, and the values parse back with their sign', async () => {
    const dir = join(tmp, 'negzero');
    await mkdir(dir, { recursive: true });
    await writeRecordFile(join(dir, 'events.out.tfevents.1.h.1.0'), [
      encodeFileVersionEvent(1),
      encodeScalarEvent(2, 1, 'x', -0),
      encodeScalarEvent(3, 2, 'x', 0),
    ]);
    const csv = (await cli(['export', dir, '--format', 'csv'], PLAIN)).stdout.trimEnd().split('\n');
    expect(csv.slice(1).map((l) => l.split(',').pop())).toEqual(['-0', '0']);
    const json = JSON.parse((await cli(['export', dir, '--format', 'json'], PLAIN)).stdout);
    expect(Object.is(json.runs[0].series[0].value[0], -0)).toBe(true);
    expect(Object.is(json.runs[0].series[0].value[1], 0)).toBe(true);
    const jsonl = (await cli(['export', dir, '--format', 'jsonl'], PLAIN)).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jsonl.map((r) => Object.is(r.value, -0))).toEqual([true, false]);
  });

  it('export names runs as check does (joinable), the full path kept in JSON', async () => {
    const check = JSON.parse((await cli(['check', KOHYA_ROOT, '--format', 'json'], PLAIN)).stdout);
    const exp = JSON.parse((await cli(['export', KOHYA_ROOT, '--format', 'json', '--tags', '^loss/current$'], PLAIN)).stdout);
    expect(exp.runs.map((r: any) => r.run).sort()).toEqual(check.runs.map((r: any) => r.run).sort());
    expect(exp.runs.map((r: any) => r.path).sort()).toEqual(check.runs.map((r: any) => r.path).sort());
    const one = JSON.parse((await cli(['export', `${KOHYA_ROOT}/explode`, '--format', 'json', '--tags', '^loss/current$'], PLAIN)).stdout);
    expect(one.runs[0].run).toBe('explode');
  });
});
