#!/usr/bin/env node
// The per-check documentation pages (docs/checks/<checkId>.md and docs/checks/README.md),
// generated from the check registry: for each Pod Security check its rule (the check file's
// prose header), fields, allowed values, variants by version, and for every check a failing
// and a passing example, evaluated here by the engine (the messages, the quick fixes and the
// verdicts on the pages are the engine's own). The extension ships the pages; diagnostics link
// to them and "Show documentation for <check>" opens them.
//
//   node scripts/check-docs.mjs           write the pages (after npx tsc -b)
//   node scripts/check-docs.mjs --check   exit 1 if a page is missing or stale
//
// test/engine/check-docs.test.ts fails when the pages on disk differ from what this writes.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const engine = require(join(root, 'server', 'out', 'engine', 'index.js'));

export const DOCS_DIR = join(root, 'docs', 'checks');
const PSS_DOCS = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';

const pod = (spec) => `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
${spec.replace(/^/gm, '  ').trimEnd()}
`;
const container = (securityContext, more = '') =>
  `containers:
  - name: app
    image: nginx${more ? `\n${more.replace(/^/gm, '    ').trimEnd()}` : ''}${
      securityContext
        ? `\n    securityContext:\n${securityContext.replace(/^/gm, '      ').trimEnd()}`
        : ''
    }`;

/** A failing and a passing pod per Pod Security check (the engine confirms both). */
const PSS_EXAMPLES = {
  appArmorProfile: {
    fail: pod(container('appArmorProfile:\n  type: Unconfined')),
    pass: pod(container('appArmorProfile:\n  type: RuntimeDefault')),
  },
  capabilities_baseline: {
    fail: pod(container('capabilities:\n  add: [SYS_ADMIN]')),
    pass: pod(container('capabilities:\n  add: [NET_BIND_SERVICE]')),
  },
  hostNamespaces: {
    fail: pod(`hostNetwork: true\n${container('')}`),
    pass: pod(`hostNetwork: false\n${container('')}`),
  },
  hostPathVolumes: {
    fail: pod(
      `${container('')}\nvolumes:\n  - name: data\n    hostPath:\n      path: /var/lib/data`,
    ),
    pass: pod(`${container('')}\nvolumes:\n  - name: data\n    emptyDir: {}`),
  },
  hostPorts: {
    fail: pod(container('', 'ports:\n  - containerPort: 80\n    hostPort: 8080')),
    pass: pod(container('', 'ports:\n  - containerPort: 80')),
  },
  hostProbesAndHostLifecycle: {
    fail: pod(
      container(
        '',
        'livenessProbe:\n  httpGet:\n    host: 10.0.0.1\n    path: /healthz\n    port: 8080',
      ),
    ),
    pass: pod(container('', 'livenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080')),
  },
  privileged: {
    fail: pod(container('privileged: true')),
    pass: pod(container('privileged: false')),
  },
  procMount: {
    fail: pod(container('procMount: Unmasked')),
    pass: pod(container('procMount: Default')),
  },
  seLinuxOptions: {
    fail: pod(container('seLinuxOptions:\n  type: spc_t')),
    pass: pod(container('seLinuxOptions:\n  type: container_t')),
  },
  seccompProfile_baseline: {
    fail: pod(container('seccompProfile:\n  type: Unconfined')),
    pass: pod(container('seccompProfile:\n  type: RuntimeDefault')),
  },
  sysctls: {
    fail: pod(
      `securityContext:\n  sysctls:\n    - name: kernel.msgmax\n      value: "65536"\n${container('')}`,
    ),
    pass: pod(
      `securityContext:\n  sysctls:\n    - name: net.ipv4.ip_local_port_range\n      value: "1024 65535"\n${container('')}`,
    ),
  },
  windowsHostProcess: {
    fail: pod(`hostNetwork: true\n${container('windowsOptions:\n  hostProcess: true')}`),
    pass: pod(container('windowsOptions:\n  hostProcess: false')),
  },
  allowPrivilegeEscalation: {
    fail: pod(container('runAsNonRoot: true')),
    pass: pod(container('allowPrivilegeEscalation: false')),
  },
  capabilities_restricted: {
    fail: pod(container('capabilities:\n  add: [NET_ADMIN]')),
    pass: pod(container('capabilities:\n  drop: [ALL]\n  add: [NET_BIND_SERVICE]')),
  },
  procMount_restricted: {
    fail: pod(`hostUsers: false\n${container('procMount: Unmasked')}`),
    pass: pod(`hostUsers: false\n${container('procMount: Default')}`),
  },
  restrictedVolumes: {
    fail: pod(
      `${container('')}\nvolumes:\n  - name: shared\n    nfs:\n      server: nfs.example.com\n      path: /exports`,
    ),
    pass: pod(
      `${container('')}\nvolumes:\n  - name: shared\n    persistentVolumeClaim:\n      claimName: shared`,
    ),
  },
  runAsNonRoot: {
    fail: pod(container('runAsNonRoot: false')),
    pass: pod(`securityContext:\n  runAsNonRoot: true\n${container('')}`),
  },
  runAsUser: {
    fail: pod(`securityContext:\n  runAsUser: 0\n${container('')}`),
    pass: pod(`securityContext:\n  runAsUser: 1000\n${container('')}`),
  },
  seccompProfile_restricted: {
    fail: pod(container('')),
    pass: pod(`securityContext:\n  seccompProfile:\n    type: RuntimeDefault\n${container('')}`),
  },
};

const deployment = (
  podSpec,
  { namespace = 'shop', labels = 'app: web' } = {},
) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  selector:
    matchLabels:
      ${labels}
  template:
    metadata:
      labels:
        ${labels}
    spec:
${podSpec.replace(/^/gm, '      ').trimEnd()}
`;
const withResources = `containers:
  - name: app
    image: nginx
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {memory: 128Mi}`;

/** A failing and a passing workspace (one YAML text) per hardening check. */
const HARDENING_EXAMPLES = {
  networkPolicyIsolation: {
    fail: deployment(withResources),
    pass: `${deployment(withResources)}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`,
  },
  networkPolicyUnmatched: {
    fail: `${deployment(withResources)}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-in
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes: [Ingress]
`,
    pass: `${deployment(withResources)}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-in
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress]
`,
  },
  resourceRequests: {
    fail: deployment(
      'containers:\n  - name: app\n    image: nginx\n    resources:\n      limits: {memory: 128Mi}',
    ),
    pass: deployment(withResources),
  },
  resourceLimits: {
    fail: deployment(
      'containers:\n  - name: app\n    image: nginx\n    resources:\n      requests: {cpu: 100m, memory: 128Mi}',
    ),
    pass: deployment(withResources),
  },
  quotaRejects: {
    fail: `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: shop
spec:
  hard:
    limits.cpu: "2"
---
${deployment(withResources)}`,
    pass: `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: shop
spec:
  hard:
    limits.cpu: "2"
---
${deployment(
  'containers:\n  - name: app\n    image: nginx\n    resources:\n      requests: {cpu: 100m, memory: 128Mi}\n      limits: {cpu: 500m, memory: 128Mi}',
)}`,
  },
  limitRangeRejects: {
    fail: `apiVersion: v1
kind: LimitRange
metadata:
  name: bounds
  namespace: shop
spec:
  limits:
    - type: Container
      max:
        memory: 64Mi
---
${deployment(withResources)}`,
    pass: `apiVersion: v1
kind: LimitRange
metadata:
  name: bounds
  namespace: shop
spec:
  limits:
    - type: Container
      max:
        memory: 256Mi
---
${deployment(withResources)}`,
  },
  secretInEnv: {
    fail: deployment(
      `${withResources}\n    env:\n      - name: DB_PASSWORD\n        value: s3cr3t-Passw0rd`,
    ),
    pass: deployment(
      `${withResources}\n    env:\n      - name: DB_PASSWORD\n        valueFrom:\n          secretKeyRef: {name: web-secrets, key: db-password}`,
    ),
  },
  serviceAccountToken: {
    fail: deployment(withResources),
    pass: deployment(`automountServiceAccountToken: false\n${withResources}`),
  },
  secretManifest: {
    fail: `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
stringData:
  password: s3cr3t-Passw0rd
`,
    pass: `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
type: Opaque
`,
  },
  auditPolicy: {
    fail: `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: RequestResponse
`,
    pass: `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: Metadata
`,
  },
};

/** The prose of a check file's first comment, without its first line (ID, level, versions). */
function ruleOf(id) {
  const text = readFileSync(join(root, 'server', 'src', 'engine', 'checks', `${id}.ts`), 'utf8');
  const m = /^\/\*\*\n([\s\S]*?)\n \*\//.exec(text);
  if (!m) throw new Error(`checks/${id}.ts has no prose header`);
  const lines = m[1].split('\n').map((l) => l.replace(/^ \* ?/, ''));
  return lines.slice(1).join(' ').replace(/\s+/g, ' ').trim();
}

const yaml = (text) => `\`\`\`yaml\n${text.trimEnd()}\n\`\`\``;
const code = (s) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

/** The check's findings on a text, Pod Security or hardening, as the editor would show them. */
function findingsOf(id, text, level) {
  const policy = { level, version: 'latest' };
  let analysis = engine.analyze(text, { level, version: 'latest' });
  if (engine.isHardeningCheckId(id)) {
    const run = engine.runHardening([engine.hardeningSource('example.yaml', text)]);
    analysis = engine.mergeHardening(analysis, 'example.yaml', run, policy);
  }
  return analysis.findings.filter((f) => f.check === id);
}

/** The example section: the failing text, what podsec says and offers, the passing text. */
function examples(id, ex, level) {
  const failing = findingsOf(id, ex.fail, level);
  const passing = findingsOf(id, ex.pass, level);
  if (failing.length === 0) throw new Error(`${id}: the failing example does not fail`);
  if (passing.length > 0)
    throw new Error(`${id}: the passing example fails: ${passing[0].message}`);
  const out = ['## Example', '', 'Fails:', '', yaml(ex.fail), ''];
  out.push('podsec reports:', '');
  for (const f of failing) {
    out.push(`- ${code(engine.findingSummary(f))} (the editor and the text output)`);
    out.push(`  - ${engine.escapeMarkdown(f.message)} (the hover, JSON and SARIF)`);
  }
  out.push('', 'Passes:', '', yaml(ex.pass));
  const fixes = new Map();
  for (const f of failing) for (const x of f.fixes) fixes.set(x.title, x.safe);
  out.push('', '## Fix', '');
  if (fixes.size === 0) out.push('No quick fix: the change depends on what the workload needs.');
  else {
    out.push(
      'The quick fixes on the failing example (Ctrl+. in the editor; `podsec --fix` applies the safe ones):',
      '',
    );
    for (const [title, safe] of fixes) {
      out.push(
        `- ${engine.escapeMarkdown(title)}${safe ? ' (safe)' : ' (may change how the workload runs)'}`,
      );
    }
  }
  return out;
}

function pssPage(def) {
  const ex = PSS_EXAMPLES[def.id];
  if (!ex) throw new Error(`no example for ${def.id}`);
  const out = [`# ${def.id}: ${def.title}`, ''];
  out.push(
    `Pod Security check, level **${def.level}**. ${ruleOf(def.id)}`,
    '',
    '## Rule',
    '',
    `- Allowed: ${engine.escapeMarkdown(def.allowed)}.`,
    `- Fields: ${def.fields.map(code).join(', ')}.`,
    '',
    '## Versions and variants',
    '',
    'podsec runs the variant of the policy version (`pod-security.kubernetes.io/enforce-version`, `podsec.version`); a variant applies from its version until the next one.',
    '',
    '| Variant | From | Replaces at restricted |',
    '| --- | --- | --- |',
  );
  for (const v of def.variants) {
    const name =
      v.upstream && v.upstream !== v.name
        ? `${code(v.name)} (upstream ${code(v.upstream)})`
        : code(v.name);
    out.push(
      `| ${name} | v1.${v.minVersion} | ${(v.overrides ?? []).map(code).join(', ') || '—'} |`,
    );
  }
  out.push('', ...examples(def.id, ex, def.level));
  out.push(
    '',
    '## Silence it',
    '',
    `\`# podsec-ignore ${def.id} -- <reason>\` on the line above the field, or the \`podsec.io/ignore\` annotation on the workload; admission still applies the check.`,
    '',
    `[Pod Security Standards: ${def.level}](${PSS_DOCS}#${def.level}) · [All checks](README.md)`,
  );
  return `${out.join('\n')}\n`;
}

function hardeningPage(c) {
  const ex = HARDENING_EXAMPLES[c.id];
  if (!ex) throw new Error(`no example for ${c.id}`);
  const out = [`# ${c.id}: ${c.title}`, ''];
  out.push(
    `Hardening check (${c.area}), ${c.defaultSeverity} by default. It never changes a Pod Security verdict.`,
    '',
    '## Rule',
    '',
    `- Checks: ${engine.escapeMarkdown(c.checks)}`,
    `- Why: ${engine.escapeMarkdown(c.why)}`,
    `- Passes: ${engine.escapeMarkdown(c.allowed)}`,
    `- Quick fix: ${c.fix ? engine.escapeMarkdown(c.fix) : 'none.'}`,
    '',
    ...examples(c.id, ex, 'restricted'),
    '',
    '## Silence it',
    '',
    `\`# podsec-ignore ${c.id} -- <reason>\` above the field, \`"podsec.severity": {"${c.id}": "off"}\`, or \`hardening: {${c.id}: false}\` in \`.podsec.yaml\`.`,
    '',
    `${c.references.map((u, i) => `[Kubernetes docs${c.references.length > 1 ? ` ${i + 1}` : ''}](${u})`).join(' · ')} · [All checks](README.md)`,
  );
  return `${out.join('\n')}\n`;
}

function indexPage() {
  const out = [
    '# podsec checks',
    '',
    'One page per check: the rule, the fields, what is allowed, the versions, a failing and a passing example (evaluated by podsec when the pages are written) and the fix. Written by `scripts/check-docs.mjs` from the check registry.',
    '',
    '## Pod Security checks',
    '',
    '| Check | Level | Title |',
    '| --- | --- | --- |',
  ];
  for (const d of engine.CHECKS)
    out.push(`| [${d.id}](${d.id}.md) | ${d.level} | ${engine.escapeMarkdown(d.title)} |`);
  out.push('', '## Hardening checks', '', '| Check | Area | Title |', '| --- | --- | --- |');
  for (const id of engine.HARDENING_CHECK_IDS) {
    const c = engine.HARDENING_CHECKS[id];
    out.push(`| [${id}](${id}.md) | ${c.area} | ${engine.escapeMarkdown(c.title)} |`);
  }
  return `${out.join('\n')}\n`;
}

/** Every page: file name → text. */
export function checkDocs() {
  const pages = new Map([['README.md', indexPage()]]);
  for (const d of engine.CHECKS) pages.set(`${d.id}.md`, pssPage(d));
  for (const id of engine.HARDENING_CHECK_IDS)
    pages.set(`${id}.md`, hardeningPage(engine.HARDENING_CHECKS[id]));
  return pages;
}

/** Pages missing, stale or left over in `dir`. */
export function staleDocs(dir = DOCS_DIR) {
  const pages = checkDocs();
  let onDisk = [];
  try {
    onDisk = readdirSync(dir).filter((f) => f.endsWith('.md'));
  } catch {
    // no folder yet: every page is missing
  }
  const stale = [];
  for (const [file, text] of pages) {
    let current = null;
    try {
      current = readFileSync(join(dir, file), 'utf8');
    } catch {
      // missing
    }
    if (current !== text) stale.push(file);
  }
  for (const f of onDisk) if (!pages.has(f)) stale.push(f);
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleDocs();
    if (stale.length > 0) {
      process.stderr.write(
        `docs/checks is stale (${stale.join(', ')}): run node scripts/check-docs.mjs\n`,
      );
      process.exit(1);
    }
  } else {
    const pages = checkDocs();
    mkdirSync(DOCS_DIR, { recursive: true });
    for (const f of readdirSync(DOCS_DIR))
      if (f.endsWith('.md') && !pages.has(f)) rmSync(join(DOCS_DIR, f));
    for (const [file, text] of pages) writeFileSync(join(DOCS_DIR, file), text);
    process.stdout.write(`wrote ${pages.size} pages to docs/checks\n`);
  }
}
