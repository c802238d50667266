/**
 * The page's Content-Security-Policy, sent as a header by main (and by the e2e harness) and written into
 * index.html's meta tag by the Vite build: own scripts and styles only, no eval, no network but our own.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "worker-src 'self'",
].join('; ');
