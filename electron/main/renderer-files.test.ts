import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rendererFile } from './renderer-files.js';

const ROOT = join('/app', 'dist', 'renderer');

describe('renderer files', () => {
  it('maps page paths to files of the build, with their type', () => {
    expect(rendererFile(ROOT, '/')).toEqual({
      file: join(ROOT, 'index.html'),
      type: 'text/html; charset=utf-8',
    });
    expect(rendererFile(ROOT, '/assets/index-1.js')?.type).toBe('text/javascript; charset=utf-8');
  });

  it('refuses anything outside the build, however it is spelled', () => {
    for (const path of [
      '/../main.cjs',
      '/assets/../../secret.js',
      '/%2e%2e/main.cjs',
      '/..%2fmain.js',
      '/%E0%A4%A',
    ]) {
      expect(rendererFile(ROOT, path), path).toBeUndefined();
    }
  });

  it('serves only the kinds of file a page loads', () => {
    expect(rendererFile(ROOT, '/assets/index.js.map')).toBeUndefined();
    expect(rendererFile(ROOT, '/settings.json')).toBeUndefined();
  });
});
