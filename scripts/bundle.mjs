#!/usr/bin/env node
// Bundles the extension for VS Code: dist/client.js (the extension, `vscode`
// left external) and dist/server.js (the language server with the engine and
// its dependencies), each one self-contained file, so the .vsix needs no
// node_modules. `--dev` keeps them readable with source maps.
//
// Both start from TypeScript source. The client reaches the server only through
// server/src/lsp/protocol.ts, which esbuild compiles into the client bundle
// with the one vscode-languageserver-protocol both sides share; the package
// test checks that nothing else of the server comes along.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild options of one bundle: `client` or `server`. */
export function bundleOptions(name, { dev = false } = {}) {
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
    outdir: 'dist',
  };
  if (name === 'client') {
    return { ...common, entryPoints: { client: 'client/src/extension.ts' }, external: ['vscode'] };
  }
  return { ...common, entryPoints: { server: 'server/src/lsp/main.ts' } };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dev = process.argv.includes('--dev');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await Promise.all([
    build(bundleOptions('client', { dev })),
    build(bundleOptions('server', { dev })),
  ]);
}
