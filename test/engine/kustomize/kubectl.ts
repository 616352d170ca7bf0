/**
 * The real kustomize, for the fidelity tests and the script that regenerates
 * their expected outputs: `kubectl kustomize <dir>`, its output, or its
 * error message as kustomize words it (kubectl's log framing removed, the
 * case's absolute path written as `$CASE`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export type KubectlResult = { ok: true; output: string } | { ok: false; error: string };

/** Whether `kubectl` can be run here. */
export function hasKubectl(): boolean {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return r.status === 0;
}

/** kustomize's message out of kubectl's log line (`err="…"` quoted, or `err=<` … `>` on several lines). */
export function kubectlError(stderr: string): string {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => /"command failed" err=/.test(l));
  if (at < 0) return stderr.trim();
  const line = lines[at] as string;
  const quoted = /err=("(?:[^"\\]|\\.)*")\s*$/.exec(line);
  if (quoted) return JSON.parse(quoted[1] as string) as string;
  const body: string[] = [];
  for (let i = at + 1; i < lines.length && lines[i] !== ' >'; i++)
    body.push((lines[i] as string).replace(/^\t/, ''));
  return body.join('\n');
}

export function kubectlKustomize(caseDir: string, build = '.'): KubectlResult {
  const r = spawnSync('kubectl', ['kustomize', join(caseDir, build)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status === 0) return { ok: true, output: r.stdout };
  return { ok: false, error: kubectlError(r.stderr).split(caseDir).join('$CASE') };
}
