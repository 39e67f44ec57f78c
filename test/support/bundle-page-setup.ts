// vitest globalSetup: the comparison page's script is a build product (npm run build writes it into
// dist/); tests run from the sources, so it is bundled once per test run, beside page.ts where the
// product looks for it (git-ignored), with the same function the build uses.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundlePage, BUNDLE_NAME } from '../../scripts/bundle-page.js';

export default async function setup(): Promise<void> {
  const out = fileURLToPath(new URL(`../../src/report/html/${BUNDLE_NAME}`, import.meta.url));
  await writeFile(out, await bundlePage());
}
