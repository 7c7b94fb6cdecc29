// Lint: typescript-eslint's recommended rules and the import rules that catch what review missed
// (duplicate imports, unresolved or self imports). Formatting is Prettier's.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'reports/', '.stryker-tmp/', 'test-output/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { 'import-x': importX },
    // resolves the NodeNext specifiers (`./x.js` for `./x.ts`), so the path rules see every import
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-duplicates': 'error',
      'import-x/no-self-import': 'error',
      'import-x/first': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The house as drawn in ARCHITECTURE.md: imports point down (service → nest → core); store, transport,
    // storage and ledger implement core's ports; the sandbox and the browser helper stand apart from the product.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/core',
              from: [
                './src/nest',
                './src/service',
                './src/store',
                './src/transport',
                './src/storage',
                './src/ledger',
                './src/sandbox',
                './src/browser',
              ],
              message: 'the core knows no framework and no implementation of its ports',
            },
            { target: './src/nest', from: ['./src/service', './src/sandbox', './src/browser'], message: 'imports point down' },
            {
              target: ['./src/store', './src/transport', './src/storage', './src/ledger'],
              from: ['./src/nest', './src/service', './src/sandbox', './src/browser'],
              message: 'a port implementation knows only the core',
            },
            {
              target: './src/sandbox',
              from: './src',
              except: ['./sandbox'],
              message: 'the simulator judges the product with its own code: it imports nothing of it',
            },
            { target: './src/browser', from: './src', except: ['./browser'], message: 'the browser helper stands alone' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'fastify', '@fastify/*', 'express', 'express-*', 'axios', 'pg', 'redis', '@redis/*'],
              message: 'the core talks to the world through its ports (ports.ts), never through a framework or client library',
            },
          ],
        },
      ],
    },
  },
  {
    // tests reach into answers with any and build fakes at seams
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
