/**
 * Secrets and tokens: literal credentials in env values (true and false
 * positives, never repeating the value), the ServiceAccount token
 * automount precedence as the ServiceAccount admission plugin computes it,
 * and committed Secrets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  credentialInValue,
  notLiteral,
  secretName,
} from '@podsec/server/out/engine/hardening/secrets';
import { deployment, of, run, spanText } from './helpers';

function env(name: string, value: string): string {
  return `env:\n  - name: ${name}\n    value: ${JSON.stringify(value)}`;
}

const AWS = 'AKIAIOSFODNN7EXAMPLE';
const GITHUB = `ghp_${'a1B2c3D4e5'.repeat(4)}`;
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('secretInEnv: detected by the value', () => {
  const positives: Array<[string, string, RegExp]> = [
    ['DATA', PEM, /a private key/],
    ['ID', AWS, /an AWS access key ID/],
    ['GH', GITHUB, /a GitHub token/],
    ['GH2', `github_pat_${'A'.repeat(30)}`, /a GitHub token/],
    ['GL', `glpat-${'x'.repeat(20)}`, /a GitLab token/],
    ['SLACK', `xoxb-${'1234567890'}-abcdefghij`, /a Slack token/],
    ['HOOK', 'https://hooks.slack.com/services/T000/B000/XXXXXXXX', /a Slack webhook URL/],
    ['STRIPE', `sk_live_${'a'.repeat(24)}`, /a Stripe key/],
    ['GOOGLE', `AIza${'B'.repeat(35)}`, /a Google API key/],
    ['NPM', `npm_${'c'.repeat(36)}`, /an npm token/],
    ['AUTH', JWT, /a JSON Web Token/],
    ['DATABASE_URL', 'postgres://app:s3cr3tpw@db:5432/app', /a URL with a password/],
  ];
  for (const [name, value, what] of positives) {
    it(`${name}: ${what.source}`, () => {
      const r = run(deployment({ container: env(name, value) }));
      const f = of(r, 'secretInEnv');
      assert.equal(f.length, 1);
      assert.match(f[0]?.message ?? '', what);
      assert.equal(f[0]?.severity, 'warning');
      for (const part of value.split('\n'))
        assert.ok(!f[0]?.message.includes(part), 'the message repeats the value');
      assert.ok(
        !JSON.stringify(f[0]?.fixes).includes(value.split('\n')[0] as string),
        'the fix repeats the value',
      );
      assert.equal(f[0]?.container, 'app');
    });
  }
  it('is located on the value line', () => {
    const r = run(deployment({ container: env('TOKEN', GITHUB) }));
    assert.equal(spanText(r, of(r, 'secretInEnv')[0]), `value: ${JSON.stringify(GITHUB)}`);
    assert.equal(of(r, 'secretInEnv')[0]?.path, 'spec.template.spec.containers[0].env[0].value');
  });
});

describe('secretInEnv: detected by the name, when the value is a literal', () => {
  const named = [
    'DB_PASSWORD',
    'API_TOKEN',
    'CLIENT_SECRET',
    'SIGNING_KEY',
    'STRIPE_APIKEY',
    'dbPassword',
    'smtp-pass',
    'PASSWORD',
    'TOKEN',
    'PRIVATE_KEY_PEM',
  ];
  for (const name of named) {
    it(`${name} with a literal`, () => {
      const r = run(deployment({ container: env(name, 'Tr0ub4dor&3') }));
      assert.equal(of(r, 'secretInEnv').length, 1, name);
      assert.match(
        of(r, 'secretInEnv')[0]?.message ?? '',
        /a literal credential \(by its name\) \(value redacted\)/,
      );
      assert.ok(!of(r, 'secretInEnv')[0]?.message.includes('Tr0ub4dor'));
    });
  }
  const notNames = [
    'PUBLIC_KEY',
    'CACHE_KEY',
    'KEY',
    'TOKEN_TTL',
    'PASSWORD_FILE',
    'AWS_ACCESS_KEY_ID',
    'SECRET_NAME',
    'USERNAME',
    'SORT_KEY',
  ];
  for (const name of notNames) {
    it(`${name} is not a credential name`, () => {
      assert.equal(secretName(name), false, name);
      const r = run(deployment({ container: env(name, 'Tr0ub4dor&3') }));
      assert.equal(of(r, 'secretInEnv').length, 0, name);
    });
  }
  const notLiterals: Array<[string, string]> = [
    ['', 'empty'],
    ['$(DB_PASS)', 'a reference'],
    ['${DB_PASS}', 'a reference'],
    ['prefix-$(X)-suffix', 'a reference'],
    ['{{ .Values.password }}', 'a reference'],
    ['/etc/secrets/db-password', 'a path'],
    ['./secrets/key.pem', 'a path'],
    ['C:\\secrets\\key', 'a path'],
    ['file:///run/secrets/x', 'a path'],
    ['vault:secret/data/db#password', 'a secret manager reference'],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:db', 'a secret manager reference'],
    ['true', 'a boolean or a number'],
    ['off', 'a boolean or a number'],
    ['5432', 'a boolean or a number'],
    ['3.5', 'a boolean or a number'],
    ['changeme', 'a placeholder'],
    ['CHANGE_ME', 'a placeholder'],
    ['<password>', 'a placeholder'],
    ['[token]', 'a placeholder'],
    ['xxxx', 'a placeholder'],
    ['****', 'a placeholder'],
    ['TODO', 'a placeholder'],
    ['your-api-key-here', 'a placeholder'],
    ['https://keys.example.com/jwks.json', 'a URL'],
  ];
  for (const [value, why] of notLiterals) {
    it(`DB_PASSWORD=${JSON.stringify(value)} is ${why}: not reported`, () => {
      assert.equal(notLiteral(value), why);
      const r = run(deployment({ container: env('DB_PASSWORD', value) }));
      assert.equal(of(r, 'secretInEnv').length, 0);
    });
  }
  it('URLs whose password is a reference or empty are not credentials', () => {
    assert.equal(credentialInValue('postgres://app:$(DB_PASS)@db/app'), null);
    assert.equal(credentialInValue('postgres://app:@db/app'), null);
    assert.equal(credentialInValue('https://user@host/'), null);
    assert.equal(credentialInValue('redis://:p4ssw0rd9@cache:6379'), 'a URL with a password');
  });
  it('valueFrom is never reported; a by-value match needs no name', () => {
    const r = run(
      deployment({
        container:
          'env:\n  - name: DB_PASSWORD\n    valueFrom: {secretKeyRef: {name: db, key: password}}',
      }),
    );
    assert.equal(of(r, 'secretInEnv').length, 0);
    assert.equal(
      of(run(deployment({ container: env('AWS_ACCESS_KEY_ID', AWS) })), 'secretInEnv').length,
      1,
    );
  });
  it('init and ephemeral containers are checked too', () => {
    const text = deployment({}).replace(
      '      containers:',
      `      initContainers:\n        - name: init\n          image: x\n          env: [{name: API_TOKEN, value: abcdefghijkl}]\n      containers:`,
    );
    const f = of(run(text), 'secretInEnv');
    assert.equal(f.length, 1);
    assert.match(f[0]?.message ?? '', /^init container "init"/);
  });
  it('the fix moves the value to a secretKeyRef placeholder', () => {
    const r = run(deployment({ container: env('DB_PASSWORD', 'Tr0ub4dor&3') }));
    const fix = of(r, 'secretInEnv')[0]?.fixes[0];
    assert.equal(fix?.preferred, false);
    assert.deepEqual(fix?.ops, [
      { op: 'remove', path: ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value'] },
      {
        op: 'set',
        path: ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'valueFrom'],
        value: { secretKeyRef: { name: 'web-secrets', key: 'db-password' } },
      },
    ]);
  });
});

describe('serviceAccountToken: automount precedence', () => {
  const sa = (automount: string | null, name = 'default', ns = 'prod') =>
    `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${name}, namespace: ${ns}}\n${automount === null ? '' : `automountServiceAccountToken: ${automount}\n`}`;
  const tokens = (r: ReturnType<typeof run>) => of(r, 'serviceAccountToken');

  it('nothing set: mounted, reported on the pod template spec', () => {
    const r = run(deployment({}));
    const f = tokens(r);
    assert.equal(f.length, 1);
    assert.equal(f[0]?.severity, 'information');
    assert.equal(spanText(r, f[0]), 'spec');
    assert.equal(f[0]?.path, 'spec.template.spec');
    assert.match(
      f[0]?.message ?? '',
      /ServiceAccount "default" is not in the workspace; it defaults to true/,
    );
    assert.equal(r.tokens[0]?.decidedBy, 'default');
  });

  it("the pod's false wins over everything", () => {
    const r = run({
      'a.yaml': deployment({ spec: 'automountServiceAccountToken: false' }),
      'sa.yaml': sa('true'),
    });
    assert.equal(tokens(r).length, 0);
    assert.equal(r.tokens[0]?.mounted, false);
    assert.equal(r.tokens[0]?.decidedBy, 'pod');
  });

  it("the pod's true wins over the ServiceAccount's false, reported on the pod's field", () => {
    const r = run({
      'a.yaml': deployment({ spec: 'automountServiceAccountToken: true' }),
      'sa.yaml': sa('false'),
    });
    const f = tokens(r);
    assert.equal(f.length, 1);
    assert.equal(spanText(r, f[0]), 'automountServiceAccountToken: true');
    assert.equal(f[0]?.file, 'a.yaml');
  });

  it("the ServiceAccount's false applies when the pod says nothing", () => {
    const r = run({ 'a.yaml': deployment({}), 'sa.yaml': sa('false') });
    assert.equal(tokens(r).length, 0);
    assert.equal(r.tokens[0]?.decidedBy, 'serviceAccount');
    assert.equal(r.tokens[0]?.serviceAccountFound, true);
  });

  it("the ServiceAccount's true is reported on the ServiceAccount's line, in its file", () => {
    const r = run({ 'a.yaml': deployment({}), 'sa.yaml': sa('true') });
    const f = tokens(r);
    assert.equal(f[0]?.file, 'sa.yaml');
    assert.equal(spanText(r, f[0]), 'automountServiceAccountToken: true');
    assert.equal(f[0]?.object.name, 'web');
  });

  it('a ServiceAccount in the workspace that says nothing: the template, default true', () => {
    const r = run({ 'a.yaml': deployment({}), 'sa.yaml': sa(null) });
    assert.match(
      tokens(r)[0]?.message ?? '',
      /neither the pod nor ServiceAccount "default" sets automountServiceAccountToken/,
    );
    assert.equal(tokens(r)[0]?.file, 'a.yaml');
  });

  it('serviceAccountName, else the deprecated serviceAccount, else default', () => {
    const named = run({
      'a.yaml': deployment({ spec: 'serviceAccountName: builder' }),
      'sa.yaml': sa('false', 'builder'),
    });
    assert.equal(named.tokens[0]?.serviceAccount, 'builder');
    assert.equal(tokens(named).length, 0);
    const old = run({
      'a.yaml': deployment({ spec: 'serviceAccount: builder' }),
      'sa.yaml': sa('false', 'builder'),
    });
    assert.equal(old.tokens[0]?.serviceAccount, 'builder');
    const both = run({
      'a.yaml': deployment({ spec: 'serviceAccountName: a\nserviceAccount: b' }),
    });
    assert.equal(both.tokens[0]?.serviceAccount, 'a');
    const empty = run({
      'a.yaml': deployment({ spec: 'serviceAccountName: ""' }),
      'sa.yaml': sa('false'),
    });
    assert.equal(empty.tokens[0]?.serviceAccount, 'default');
    assert.equal(tokens(empty).length, 0);
  });

  it('a ServiceAccount of another namespace does not decide', () => {
    const r = run({ 'a.yaml': deployment({}), 'sa.yaml': sa('false', 'default', 'dev') });
    assert.equal(tokens(r).length, 1);
  });

  it('containers that mount their own volume at the token path get no token', () => {
    const mount =
      'volumeMounts: [{name: own, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]';
    const r = run(deployment({ container: mount }));
    assert.equal(tokens(r).length, 0);
    assert.equal(r.tokens[0]?.decidedBy, 'ownMounts');
  });

  it('mirror pods get no token', () => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {kubernetes.io/config.mirror: abc}\nspec:\n  containers: [{name: a, image: x}]\n`;
    assert.equal(tokens(run(pod)).length, 0);
  });

  it('the fix sets automountServiceAccountToken: false on the pod spec, never preferred', () => {
    const fix = tokens(run(deployment({})))[0]?.fixes[0];
    assert.equal(fix?.preferred, false);
    assert.deepEqual(fix?.ops, [
      {
        op: 'set',
        path: ['spec', 'template', 'spec', 'automountServiceAccountToken'],
        value: false,
      },
    ]);
  });
});

describe('secretManifest', () => {
  const secret = (body: string, kind = 'Secret', apiVersion = 'v1') =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: s, namespace: prod}\n${body}\n`;

  it('a Secret with data or stringData: one finding on each field, values redacted', () => {
    const r = run(
      secret('type: Opaque\ndata:\n  password: aHVudGVyMg==\nstringData:\n  token: hunter2'),
    );
    const f = of(r, 'secretManifest');
    assert.equal(f.length, 2);
    assert.deepEqual(
      f.map((x) => spanText(r, x)),
      ['data', 'stringData'],
    );
    assert.equal(f[0]?.severity, 'warning');
    assert.match(f[0]?.message ?? '', /Secret "s" commits 1 value in data \(values redacted\)/);
    assert.ok(f.every((x) => !x.message.includes('aHVudGVyMg') && !x.message.includes('hunter2')));
  });

  it('empty data, empty values, a token Secret without data: not reported', () => {
    assert.equal(of(run(secret('data: {}')), 'secretManifest').length, 0);
    assert.equal(of(run(secret('data:\n  a: ""')), 'secretManifest').length, 0);
    assert.equal(
      of(run(secret('type: kubernetes.io/service-account-token')), 'secretManifest').length,
      0,
    );
    assert.equal(
      of(
        run(secret('type: kubernetes.io/service-account-token\ndata: {token: abc}')),
        'secretManifest',
      ).length,
      1,
    );
  });

  it('SealedSecret and ExternalSecret are not Secrets', () => {
    assert.equal(
      of(
        run(
          secret(
            'spec:\n  encryptedData: {password: AgBy3i4OJSWK}',
            'SealedSecret',
            'bitnami.com/v1alpha1',
          ),
        ),
        'secretManifest',
      ).length,
      0,
    );
    assert.equal(
      of(
        run(
          secret(
            'spec:\n  data: [{secretKey: password}]',
            'ExternalSecret',
            'external-secrets.io/v1beta1',
          ),
        ),
        'secretManifest',
      ).length,
      0,
    );
    assert.equal(
      of(run(secret('data: {a: b}', 'Secret', 'example.com/v1')), 'secretManifest').length,
      0,
    );
  });
});
