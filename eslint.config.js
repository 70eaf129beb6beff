// Lint rules. The layer rules (core imports nothing above it, cli reaches the
// daemon only through client) live here so that a wrong import fails `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (from, forbidden) => ({
  files: [`src/${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: forbidden.map((l) => ({
        group: [`**/${l}/*`, `**/${l}/**`, `../${l}/*`],
        message: `src/${from} may not import from src/${l} (see src/README.md for the layering)`,
      })),
    }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  layer('core', ['host', 'daemon', 'client', 'cli']),
  layer('host', ['daemon', 'client', 'cli']),
  layer('daemon', ['client', 'cli']),
  layer('client', ['host', 'daemon', 'cli']),
  layer('cli', ['host', 'daemon']),
  {
    // The client and the CLI take the API's schemas as types only: a value import loads valibot,
    // which slows every CLI command's start-up (src/cli/no-schema-library.test.ts checks the build).
    files: ['src/client/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'valibot', message: 'the client and CLI do not load valibot (start-up time)', allowTypeImports: true }],
        patterns: [{
          group: ['**/core/api/schemas.js'],
          allowTypeImports: true,
          message: 'import the API types with `import type` (src/core/api/types.ts): the schemas load valibot',
        }],
      }],
    },
  },
);
