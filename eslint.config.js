// Lint rules. Besides the usual, the layout rule: imports flow client → common and
// server → common, never sideways, and common/ stays isomorphic (no DOM-only or node:* imports).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noImportsFrom = (...groups) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: groups.map((group) => ({
        group: [group],
        message: 'Imports flow client → common and server → common only.',
      })),
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'test-results/**',
      'playwright-report/**',
      '.tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  { files: ['client/**'], rules: noImportsFrom('**/server/**', 'node:*') },
  { files: ['server/**'], rules: noImportsFrom('**/client/**') },
  { files: ['common/**'], rules: noImportsFrom('**/server/**', '**/client/**', 'node:*') },
);
