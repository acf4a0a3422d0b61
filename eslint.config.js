import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', URLSearchParams: 'readonly', URL: 'readonly' } },
    // A `!` silences the compiler instead of handling the missing case: not in medbill's code (tests may assert).
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' },
  },
  // The local chat page's script runs in the browser.
  { files: ['adapters/web/page.js'], languageOptions: { globals: { document: 'readonly', window: 'readonly', localStorage: 'readonly', sessionStorage: 'readonly', crypto: 'readonly', Node: 'readonly', Blob: 'readonly', atob: 'readonly' } } },
  // Tests read Slack's and Block Kit's JSON as it comes; typing every payload would only hide the assertions.
  { files: ['test/**', 'bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' } },
);
