import { extname, join, normalize, relative, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * The file of the built renderer that a page URL path names, with its content type; undefined for
 * anything outside the renderer folder (`..`, encoded or not) or of a kind the page never loads.
 * Used by main's app:// protocol and by the e2e harness's HTTP server alike.
 */
export function rendererFile(root: string, pathname: string): { file: string; type: string } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return undefined;
  }
  const file = normalize(join(root, decoded));
  const inside = relative(root, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`)) return undefined;
  const type = TYPES[extname(file)];
  return type ? { file, type } : undefined;
}
