import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from '../shared/ipc/csp.js';

// The meta tag repeats the header that main and the e2e harness send, so the policy holds even where a
// header is lost (a page opened from disk); both come from one constant.
const cspMeta = (): Plugin => ({
  name: 'deid-csp-meta',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
      injectTo: 'head-prepend',
    },
  ],
});

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs work under app://deid/ in Electron and under http://127.0.0.1 in the e2e harness.
  base: './',
  plugins: [cspMeta()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: false,
  },
});
