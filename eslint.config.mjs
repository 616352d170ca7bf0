// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/out/**',
      'dist/**',
      'test/fixtures/**',
      '.vscode-test/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // node:test's describe/it return promises the runner awaits itself.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    // The engine knows YAML and Kubernetes only: no editor or protocol imports.
    files: ['server/src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['vscode', 'vscode-*', '../lsp/*', '../cli/*', '../../lsp/*', '../../cli/*'] },
      ],
    },
  },
  {
    // The protocol is compiled into the VS Code extension's bundle too: at run time it may use
    // vscode-languageserver-protocol (the client's own) and the hardening ID list (which imports
    // nothing), never the rest of the engine or the server.
    files: ['server/src/lsp/protocol.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!vscode-languageserver-protocol$|\\.\\./engine/hardening/ids$)',
              allowTypeImports: true,
              message:
                'The protocol is bundled into the extension: values from vscode-languageserver-protocol and the dependency-free hardening ID list only; anything else as `import type`.',
            },
          ],
        },
      ],
    },
  },
  {
    // The extension reaches the server through the protocol module only (from source), never
    // through compiled output or the server's runtime.
    files: ['client/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@podsec/server', '@podsec/server/*', '**/out/**'],
              message: 'Import the protocol from source: ../../server/src/lsp/protocol.',
            },
            {
              regex: 'server/src/(?!lsp/protocol$)',
              message: 'The extension imports only the protocol module from the server.',
            },
          ],
        },
      ],
    },
  },
  {
    // Over stdio, stdout is the protocol: the server logs through the connection.
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      // keep disableTypeChecked's parserOptions (no project service for plain JS)
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    // CommonJS on purpose: the extension host require()s the end-to-end test files (and
    // `vscode` can only be require()d there); the bin stubs require() the compiled CLI and server.
    files: ['test/e2e/**/*.js', 'server/bin/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
