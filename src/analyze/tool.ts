import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOOL_NAME = 'tblens';

let cached: string | undefined;

/**
 * The version in tblens's own package.json. Searched upward because the module runs from src/ under
 * vitest and from dist/src/ when built.
 */
export function toolVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === TOOL_NAME && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // no package.json at this level: keep climbing
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0');
}
