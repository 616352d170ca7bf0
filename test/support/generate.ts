/**
 * A deterministic generator of Kubernetes manifests for benchmarks and
 * property tests: every workload kind, pod- and container-level security
 * settings drawn at random (compliant or not, at both levels), comments,
 * anchors and aliases, block and flow styles.
 */

/** mulberry32: small, fast, seeded. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'ReplicationController',
  'PodTemplate',
] as const;

const API: Record<(typeof KINDS)[number], string> = {
  Pod: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  ReplicationController: 'v1',
  PodTemplate: 'v1',
};

type Value = string | number | boolean | Value[] | { [k: string]: Value };

/** Render a value as YAML at an indentation, in block or flow style. */
function render(v: Value, indent: number, flow: boolean, rng: Rng): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (flow) return `[${v.map((x) => render(x, 0, true, rng)).join(', ')}]`;
    const pad = ' '.repeat(indent);
    return v
      .map((x) => {
        const body = render(x, indent + 2, false, rng);
        return `\n${pad}- ${typeof x === 'object' && !Array.isArray(x) ? body.trimStart() : body}`;
      })
      .join('');
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    if (flow)
      return `{${keys.map((k) => `${k}: ${render(v[k] as Value, 0, true, rng)}`).join(', ')}}`;
    const pad = ' '.repeat(indent);
    return keys
      .map((k) => {
        const child = v[k] as Value;
        const childFlow = typeof child === 'object' && rng.chance(0.2);
        const body = render(child, indent + 2, childFlow, rng);
        const comment = rng.chance(0.05) ? ' # reviewed' : '';
        return `\n${pad}${k}:${body.startsWith('\n') ? '' : ' '}${body}${body.startsWith('\n') ? '' : comment}`;
      })
      .join('');
  }
  if (typeof v === 'string')
    return /^[A-Za-z_/][\w./-]*$/.test(v) && !/^(y|n|yes|no|on|off|true|false|null)$/i.test(v)
      ? v
      : JSON.stringify(v);
  return String(v);
}

function containerSecurity(
  rng: Rng,
  profile: 'restricted' | 'baseline' | 'violating',
): Record<string, Value> {
  const sc: Record<string, Value> = {};
  if (profile === 'restricted') {
    sc.allowPrivilegeEscalation = false;
    sc.capabilities = rng.chance(0.3)
      ? { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }
      : { drop: ['ALL'] };
    if (rng.chance(0.3)) sc.runAsNonRoot = true;
    return sc;
  }
  if (profile === 'baseline') {
    if (rng.chance(0.5))
      sc.capabilities = { add: [rng.pick(['CHOWN', 'NET_BIND_SERVICE', 'KILL'])] };
    if (rng.chance(0.3)) sc.runAsUser = rng.pick([0, 1000]);
    return sc;
  }
  const bad = rng.int(1, 3);
  for (let i = 0; i < bad; i++) {
    switch (rng.int(0, 5)) {
      case 0:
        sc.privileged = true;
        break;
      case 1:
        sc.capabilities = { add: [rng.pick(['SYS_ADMIN', 'NET_ADMIN', 'NET_RAW'])] };
        break;
      case 2:
        sc.procMount = 'Unmasked';
        break;
      case 3:
        sc.seLinuxOptions = { type: 'spc_t' };
        break;
      case 4:
        sc.seccompProfile = { type: 'Unconfined' };
        break;
      default:
        sc.allowPrivilegeEscalation = true;
    }
  }
  return sc;
}

function podSpec(rng: Rng, id: number): Record<string, Value> {
  const profile = rng.pick(['restricted', 'restricted', 'baseline', 'violating'] as const);
  const spec: Record<string, Value> = {};
  if (profile === 'restricted') {
    spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  } else if (profile === 'violating' && rng.chance(0.4)) {
    const sc: Record<string, Value> = {};
    if (rng.chance(0.5)) sc.sysctls = [{ name: 'kernel.msgmax', value: '65536' }];
    if (rng.chance(0.5)) sc.runAsUser = 0;
    spec.securityContext = sc;
    if (rng.chance(0.3)) spec.hostNetwork = true;
  }
  const containers: Value[] = [];
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    const c: Record<string, Value> = {
      name: `c${id}-${i}`,
      image: `registry.example.com/app-${id % 17}:${rng.int(1, 9)}.${rng.int(0, 20)}`,
      ports: [
        {
          containerPort: 8000 + i,
          ...(profile === 'violating' && rng.chance(0.2) ? { hostPort: 9000 + i } : {}),
        },
      ],
      resources: { limits: { cpu: '500m', memory: '256Mi' } },
    };
    const sc = containerSecurity(rng, profile);
    if (Object.keys(sc).length > 0) c.securityContext = sc;
    containers.push(c);
  }
  spec.containers = containers;
  if (rng.chance(0.3))
    spec.initContainers = [{ name: `init${id}`, image: 'busybox', command: ['sh', '-c', 'true'] }];
  if (rng.chance(0.4)) {
    spec.volumes = [
      { name: 'config', configMap: { name: `cfg-${id}` } },
      profile === 'violating' && rng.chance(0.5)
        ? { name: 'host', hostPath: { path: '/var/run' } }
        : { name: 'scratch', emptyDir: {} },
    ];
  }
  return spec;
}

/** One workload document (without the leading `---`). */
export function workload(
  rng: Rng,
  id: number,
  kind: (typeof KINDS)[number] = rng.pick(KINDS),
): string {
  const meta = `metadata:\n  name: w${id}\n  namespace: ns${id % 5}\n  labels: {app: w${id}, tier: ${rng.pick(['web', 'db', 'batch'])}}`;
  const template = { metadata: { labels: { app: `w${id}` } }, spec: podSpec(rng, id) };
  let body: string;
  const t = (indent: number) => render(template, indent, false, rng);
  switch (kind) {
    case 'Pod':
      body = `spec:${render(template.spec, 2, false, rng)}`;
      break;
    case 'PodTemplate':
      body = `template:${t(2)}`;
      break;
    case 'CronJob':
      body = `spec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:${t(8)}`;
      break;
    default:
      body = `spec:\n  replicas: ${rng.int(1, 5)}\n  selector:\n    matchLabels: {app: w${id}}\n  template:${t(4)}`;
  }
  const comment = rng.chance(0.5) ? `# workload ${id}: ${kind}\n` : '';
  return `${comment}apiVersion: ${API[kind]}\nkind: ${kind}\n${meta}\n${body}\n`;
}

function extra(rng: Rng, id: number): string {
  if (rng.chance(0.5)) {
    return `apiVersion: v1\nkind: Service\nmetadata:\n  name: s${id}\nspec:\n  selector: {app: w${id}}\n  ports:\n    - port: 80\n      targetPort: 8080\n`;
  }
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-${id}\n  annotations:\n    note: &note "generated #${id}"\n    again: *note\ndata:\n  app.properties: |\n    greeting=hello\n    target=world\n`;
}

export interface GenerateOptions {
  seed?: number;
  /** Stop after this many workloads. */
  workloads?: number;
  /** Stop at the first document boundary at or past this many lines. */
  lines?: number;
}

/** A multi-document manifest. Deterministic for a given seed. */
export function generate(o: GenerateOptions): string {
  const rng = new Rng(o.seed ?? 1);
  const docs: string[] = [];
  let lines = 0;
  for (let id = 0; ; id++) {
    if (o.workloads !== undefined && id >= o.workloads) break;
    if (o.lines !== undefined && lines >= o.lines) break;
    const w = workload(rng, id);
    docs.push(w);
    lines += w.split('\n').length;
    if (rng.chance(0.25)) {
      const e = extra(rng, id);
      docs.push(e);
      lines += e.split('\n').length;
    }
  }
  return docs.join('---\n');
}
