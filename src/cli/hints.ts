import { readdir, stat } from 'node:fs/promises';
import { basename } from 'node:path';

// One-line hints for a user who is obviously close (#14): the right command or option for what they
// gave. Each is said on stderr after the error (or the empty result) it explains; none changes an exit code.

const isLora = (name: string) => name.toLowerCase().endsWith('.safetensors');
const isEvents = (name: string) => name.includes('tfevents');

/** The entries of a directory, or of nothing when it is not one (or unreadable). */
async function entries(path: string): Promise<string[]> {
  try {
    return (await stat(path)).isDirectory() ? await readdir(path) : [];
  } catch {
    return [];
  }
}

/** A log path that holds LoRA files and no event files (diagnose/check/compare/export): inspect it, or give it to --weights. */
export async function loraInsteadOfLogsHint(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    if (isLora(basename(path))) return `${path} is a LoRA file, not a TensorBoard log: try \`tblens inspect ${path}\`, or give it as \`--weights ${path}\``;
    const names = await entries(path);
    if (names.some(isLora) && !names.some(isEvents))
      return `no event files in ${path}; these are LoRA files: try \`tblens inspect ${path}\` or \`--weights ${path}\``;
  }
  return undefined;
}

/** An inspect argument that is (or holds) TensorBoard event files rather than LoRA files. */
export async function logsInsteadOfLoraHint(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    if (isEvents(basename(path))) return `${path} is a TensorBoard event file: try \`tblens diagnose ${path}\``;
    const names = await entries(path);
    if (names.some(isEvents) && !names.some(isLora)) return `${path} holds TensorBoard event files: try \`tblens diagnose ${path}\``;
  }
  return undefined;
}

/** At most `cap` names, then how many more: what a filter could have matched. */
export function cappedList(names: string[], cap = 10): string {
  const unique = [...new Set(names)];
  return unique.length <= cap ? unique.join(', ') : `${unique.slice(0, cap).join(', ')} and ${unique.length - cap} more`;
}
