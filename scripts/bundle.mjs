#!/usr/bin/env node
// Bundles the extension for VS Code: dist/client.js (the extension, `vscode`
// left external) and dist/server.js (the language server with the engine and
// its dependencies), each one self-contained file, so the .vsix needs no
// node_modules. `--dev` keeps them readable with source maps.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');

rmSync(join(root, 'dist'), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  legalComments: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

await Promise.all([
  build({
    ...common,
    entryPoints: { client: 'client/src/extension.ts' },
    outdir: 'dist',
    external: ['vscode'],
  }),
  build({
    ...common,
    entryPoints: { server: 'server/src/lsp/main.ts' },
    outdir: 'dist',
  }),
]);
