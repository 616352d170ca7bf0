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
