import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { validateXML } from 'xmllint-wasm';
import { parse as parseJunit } from 'junit2json';

/**
 * Validators nobody here wrote, for the CI outputs (issue 13). The schemas are vendored next to this
 * file (provenance and licence in schemas/README.md) so the tests run offline and cannot drift.
 */
const SCHEMAS = join(fileURLToPath(new URL('.', import.meta.url)), 'schemas');

// CommonJS packages: under NodeNext their default export arrives as the module object.
const Ajv = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as unknown as typeof AjvDraft04.default;
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as unknown as typeof ajvFormats.default;

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
let sarifValidate: Validate | undefined;

/** The OASIS SARIF 2.1.0 JSON schema (draft-04) under ajv with the `uri`/`date-time` formats checked. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (!sarifValidate) {
    // unicodeRegExp off: the schema's language pattern is not valid under the u flag (as in the draft-04 era's validators).
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(join(SCHEMAS, 'sarif-2.1.0-rtm.5.json'), 'utf8'));
    sarifValidate = ajv.compile(schema) as Validate;
  }
  const validate = sarifValidate;
  return validate(log) ? [] : (validate.errors ?? []).map((e) => JSON.stringify(e));
}

/**
 * What github/codeql-action's upload-sarif checks beyond the schema (src/upload-lib.ts): a `runs`
 * array and a `results` array in every run. And what code scanning needs to place and track an alert:
 * a location with a line, and a primaryLocationLineHash (src/fingerprints.ts keeps one the tool gave).
 */
export function uploadSarifErrors(log: any): string[] {
  const errors: string[] = [];
  if (!Array.isArray(log.runs)) return ['Invalid SARIF. Missing runs array.'];
  for (const run of log.runs) {
    if (!Array.isArray(run.results)) errors.push('Invalid SARIF. Missing results array in run.');
    for (const rule of run.tool?.driver?.rules ?? []) {
      if (!rule.fullDescription?.text) errors.push(`rule ${rule.id}: no fullDescription.text`);
      if (!rule.help?.text) errors.push(`rule ${rule.id}: no help.text`);
      if (rule.name === rule.id) errors.push(`rule ${rule.id}: name equals id (SARIF1001)`);
    }
    const hashes = new Set<string>();
    for (const r of run.results ?? []) {
      const loc = r.locations?.[0]?.physicalLocation;
      if (!loc?.artifactLocation?.uri) errors.push(`${r.ruleId}: no artifact location`);
      if (!Number.isInteger(loc?.region?.startLine)) errors.push(`${r.ruleId}: no region.startLine`);
      const h = r.partialFingerprints?.primaryLocationLineHash;
      if (typeof h !== 'string' || !/^[0-9a-f]{16}:[1-9][0-9]*$/.test(h)) errors.push(`${r.ruleId}: primaryLocationLineHash ${h}`);
      else if (hashes.has(`${r.ruleId} ${h}`)) errors.push(`${r.ruleId}: duplicate primaryLocationLineHash ${h}`);
      else hashes.add(`${r.ruleId} ${h}`);
    }
  }
  return errors;
}

/** libxml2 (xmllint compiled to WebAssembly) against the Jenkins xunit plugin's junit-10.xsd. */
export async function junitXsdErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'tblens-junit.xml', contents: xml }],
    schema: [{ fileName: 'junit-10.xsd', contents: readFileSync(join(SCHEMAS, 'junit-10.xsd'), 'utf8') }],
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}

/** The counts a CI reporter reads, through junit2json (xml2js underneath, as dorny/test-reporter uses). */
export async function junitCounts(xml: string): Promise<{
  suites: number;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  cases: number;
  caseFailures: number;
  caseErrors: number;
  caseSkipped: number;
  names: string[];
  properties: Record<string, string>[];
}> {
  const doc = (await parseJunit(xml)) as any;
  const suites: any[] = doc.testsuite ?? [];
  const cases = suites.flatMap((s) => s.testcase ?? []);
  return {
    suites: suites.length,
    tests: doc.tests,
    failures: doc.failures,
    errors: doc.errors,
    skipped: suites.reduce((a, s) => a + (s.skipped ?? 0), 0),
    cases: cases.length,
    caseFailures: cases.filter((c) => c.failure).length,
    caseErrors: cases.filter((c) => c.error).length,
    caseSkipped: cases.filter((c) => c.skipped).length,
    names: suites.map((s) => s.name),
    properties: suites.map((s) => Object.fromEntries((s.properties ?? []).map((p: any) => [p.name, p.value]))),
  };
}

/**
 * A workflow command line as the actions runner reads it (ActionCommand.TryParseV2): `::name
 * k=v,k=v::data`, properties split on `,` then the first `=`, values and data unescaped.
 */
export function parseWorkflowCommand(line: string): { command: string; properties: Record<string, string>; message: string } | undefined {
  if (!line.startsWith('::')) return undefined;
  const end = line.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = line.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of info.slice(space + 1).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1), true);
    }
  }
  return { command, properties, message: unescape(line.slice(end + 2), false) };
}

function unescape(text: string, property: boolean): string {
  let t = text.replace(/%0D/g, '\r').replace(/%0A/g, '\n');
  if (property) t = t.replace(/%3A/g, ':').replace(/%2C/g, ',');
  return t.replace(/%25/g, '%');
}
