/**
 * Hardening benchmark for `npm run bench`, as a ratio against a baseline
 * measured in the same run:
 *
 *  hardening/500 workloads on vs off   500 files of one generated workload each and 10
 *                                      NetworkPolicies, checked as the command line checks
 *                                      them with the hardening checks on (each file analysed,
 *                                      its parse passed on to the checks, which run over all
 *                                      together, each file's share merged with its fixes), vs the same
 *                                      files analysed with the hardening checks off (≤ 3×)
 *  hardening/amplified document on vs off
 *                                      a Pod whose 151 containers alias one 1 MB name, checked
 *                                      with the hardening checks on (analysed, its parse passed on
 *                                      to the checks, which run, its share merged) vs analysed
 *                                      alone (≤ 2×)
 */
import {
  analyze,
  hardeningSource,
  mergeHardening,
  ParseShare,
  runHardening,
} from '@podsec/server/out/engine/index';
import { generate } from '../support/generate';

interface Row {
  name: string;
  ms: number;
  baseName: string;
  baseMs: number;
  bound: number;
}

interface Tools {
  paired: (a: () => unknown, b: () => unknown, runs?: number, warm?: number) => [number, number];
  generate: (o: { lines?: number; workloads?: number; seed?: number }) => string;
}

const POLICY = { level: 'restricted' as const, version: 'latest' };

/** 500 files of one workload each (10 namespaces), and one NetworkPolicy file per namespace. */
export function hardeningFiles(generate: Tools['generate']): Array<{ path: string; text: string }> {
  const files: Array<{ path: string; text: string }> = [];
  for (let i = 0; i < 500; i++) {
    const text = generate({ workloads: 1, seed: 1000 + i })
      .replace(/\bw0\b/g, `w${i}`)
      .replace(/namespace: ns\d+/g, `namespace: ns${i % 10}`);
    files.push({ path: `/repo/w${i}.yaml`, text });
  }
  for (let n = 0; n < 10; n++) {
    files.push({
      path: `/repo/netpol-ns${n}.yaml`,
      text: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: ns${n}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n`,
    });
  }
  return files;
}

/** A Pod whose 151 containers alias one 1 MB name (the editor's and the CLI's amplification case). */
export function amplifiedPod(): string {
  const name = 'n'.repeat(1024 * 1024);
  let text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: amplified\n  labels: {app: x}\nx-name: &n ${name}\nspec:\n  containers:\n`;
  for (let i = 0; i < 151; i++) text += `    - name: *n\n      image: a\n`;
  return text;
}

export async function run({ paired, generate }: Tools): Promise<Row[]> {
  const files = hardeningFiles(generate);
  let findings = 0;
  const off = () => {
    for (const f of files) analyze(f.text, { file: f.path });
  };
  const on = () => {
    // As the command line: each file's parse passes from its analysis to the hardening checks.
    const share = new ParseShare();
    const analyses = files.map((f) => analyze(f.text, { file: f.path, share }));
    const hardening = runHardening(files.map((f) => hardeningSource(f.path, f.text, { share })));
    findings = 0;
    files.forEach((f, i) => {
      const a = mergeHardening(analyses[i]!, f.path, hardening, POLICY);
      findings += a.findings.length;
    });
  };
  const [ms, baseMs] = paired(on, off, 5, 1);
  if (findings === 0) throw new Error('hardening bench: no findings, the files were not checked');
  const amplified = amplifiedPod();
  const limits = { maxFileBytes: 4_000_000 };
  let ampFindings = 0;
  const ampOff = () => analyze(amplified, { file: '/repo/amp.yaml', ...limits });
  const ampOn = () => {
    const share = new ParseShare();
    const a = analyze(amplified, { file: '/repo/amp.yaml', ...limits, share });
    const h = runHardening([hardeningSource('/repo/amp.yaml', amplified, { ...limits, share })]);
    if (share.taken !== 1) throw new Error('hardening bench: the analysis parse was not taken');
    ampFindings = mergeHardening(a, '/repo/amp.yaml', h, POLICY).findings.length;
  };
  const [ampMs, ampBaseMs] = paired(ampOn, ampOff, 7, 2);
  if (ampFindings <= ampOff().findings.length)
    throw new Error('hardening bench: the amplified Pod got no hardening findings');
  return Promise.resolve([
    {
      name: 'hardening/500 workloads on vs off',
      ms,
      baseName: 'hardening off',
      baseMs,
      bound: 3,
    },
    {
      name: 'hardening/amplified document on vs off',
      ms: ampMs,
      baseName: 'hardening off',
      baseMs: ampBaseMs,
      bound: 2,
    },
  ]);
}

/** Run alone: `node out/test/bench/hardening.bench.js` prints the row (no bound is enforced here). */
if (require.main === module) {
  const paired = (a: () => unknown, b: () => unknown, runs = 5, warm = 1): [number, number] => {
    for (let i = 0; i < warm; i++) {
      a();
      b();
    }
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = process.hrtime.bigint();
      a();
      xs.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      b();
      ys.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const mid = (v: number[]): number => v.sort((p, q) => p - q)[Math.floor(v.length / 2)] ?? 0;
    return [mid(xs), mid(ys)];
  };
  void run({ paired, generate }).then((rows) => {
    for (const r of rows)
      process.stdout.write(
        `${r.name}  ${r.ms.toFixed(1)} ms vs ${r.baseName} ${r.baseMs.toFixed(1)} ms = ${(r.ms / r.baseMs).toFixed(3)}× (bound ${r.bound}×)\n`,
      );
  });
}
