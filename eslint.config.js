// Lint rules for the TypeScript sources, tests, benchmarks and scripts. Syntax-only
// (no type information): the type-checked presets are too slow on this tree.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'build/',
    'node_modules/',
    // Generated from the operator schemas by scripts/generate-ops.ts.
    'src/torch/ops.generated.ts',
    'src/torch/enums.generated.ts',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: {
      // An eslint-disable comment that no longer suppresses anything fails the lint.
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {
        // Overridable methods name the arguments subclasses receive (`forward(..._inputs)`).
        argsIgnorePattern: '^_',
        // `const { create: _create, ...info } = entry` is how this code omits keys from a copy.
        ignoreRestSiblings: true,
      }],
      // Its target is `const self = this` for callbacks, which arrow functions replaced; here
      // `this` only seeds a cursor (Tensor.index, Module.getSubmodule walk from it).
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    // CommonJS on purpose (node-gyp runs it before anything is built): require is how it imports.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
);
