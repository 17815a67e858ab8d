// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

/**
 * The architecture, as a rule: which folder of src/ may import which. Layers point one
 * way, domain → infrastructure → common (README, "Module map"):
 * - common/ and config/: the request context (AuthUser, @Public, @Roles, route templates),
 *   DomainError and the error body, the exception filter, pipes; the configuration.
 * - infrastructure: the servers and the machinery around requests. It knows no domain.
 * - domain: the mall itself; modules may use each other and everything below.
 * - the composition root (src/*.ts: app.module.ts, main.ts …) is no layer: it wires them together.
 * An import the table does not allow fails `npm run lint`.
 */
const INFRASTRUCTURE = [
  'database',
  'redis',
  'cache',
  'logging',
  'metrics',
  'rate-limit',
  'messaging',
  'http',
  'health',
  'tracing',
];
const DOMAIN = ['auth', 'products', 'cart', 'orders', 'storefront'];
const layers = {
  files: ['src/**/*.ts'],
  plugins: { boundaries },
  settings: {
    'import/resolver': { node: { extensions: ['.ts', '.js'] } },
    'boundaries/include': ['src/**/*.ts'],
    'boundaries/elements': [
      { type: 'common', pattern: 'src/common' },
      { type: 'config', pattern: 'src/config' },
      { type: 'infrastructure', pattern: `src/(${INFRASTRUCTURE.join('|')})` },
      { type: 'domain', pattern: `src/(${DOMAIN.join('|')})` },
    ],
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        message: '{{from.type}} code may not import {{to.type}} code: dependencies point domain → infrastructure → common',
        policies: [
          { from: { element: { type: 'config' } }, allow: { to: { element: { types: { anyOf: ['config'] } } } } },
          {
            from: { element: { type: 'common' } },
            allow: { to: { element: { types: { anyOf: ['common', 'config'] } } } },
          },
          {
            from: { element: { type: 'infrastructure' } },
            allow: { to: { element: { types: { anyOf: ['common', 'config', 'infrastructure'] } } } },
          },
          {
            from: { element: { type: 'domain' } },
            allow: { to: { element: { types: { anyOf: ['common', 'config', 'infrastructure', 'domain'] } } } },
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/', 'test/generated/', '*.js', '*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts', 'deploy/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The generated client's test proves the document types a flow on its own: no casts.
    files: ['test/typed-client.e2e-spec.ts'],
    rules: {
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  layers,
);
