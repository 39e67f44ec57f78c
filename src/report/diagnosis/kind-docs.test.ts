import { describe, expect, it } from 'vitest';
import { KIND_TITLES } from '../../analyze/diagnosis-report.js';
import { KIND_DESCRIPTIONS } from './kind-docs.js';

describe('kind descriptions (SARIF fullDescription/help)', () => {
  it('has a written description for every finding kind, so no rule falls back to its bare title', () => {
    const missing = Object.keys(KIND_TITLES).filter((k) => !(KIND_DESCRIPTIONS as Record<string, string | undefined>)[k]);
    expect(missing).toEqual([]);
  });
});
