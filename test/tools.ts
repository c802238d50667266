import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Whether a Debian DICOM tool is installed (CI installs them; a bare dev machine may not have them). */
export const hasTool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/** dcmdump's verdict on a file: the error lines it printed (E: ...), empty when it read the file cleanly. */
export function dcmdumpErrors(path: string): string[] {
  const r = spawnSync('dcmdump', ['-M', path], { encoding: 'latin1', maxBuffer: 64 << 20 });
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^E: /.test(l));
  if (r.status !== 0 && lines.length === 0) lines.push(`E: dcmdump exited with ${r.status}`);
  return lines;
}

/** dciodvfy's error lines (Error - ...), for comparing an output with its input. */
export function dciodvfyErrors(path: string): string[] {
  const r = spawnSync('dciodvfy', ['-new', path], { encoding: 'latin1', maxBuffer: 64 << 20 });
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^Error/.test(l));
}

// Debian's python3-pydicom lives in the system Python, which a version manager's python3 may shadow.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Whether pydicom can be imported (CI installs python3-pydicom). */
export const hasPydicom = (): boolean => spawnSync(PYTHON, ['-c', 'import pydicom']).status === 0;

/**
 * pydicom's verdict on files: for each path it could not read, or whose elements it could not decode,
 * `path: ErrorType`. One Python process for all of them.
 */
export function pydicomErrors(paths: readonly string[]): string[] {
  const script = [
    'import sys, pydicom',
    'for p in sys.stdin.read().split("\\n"):',
    '    if not p: continue',
    '    try:',
    '        ds = pydicom.dcmread(p)',
    '        for el in ds.iterall(): el.value',
    '    except Exception as e:',
    '        print(p + ": " + type(e).__name__)',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], {
    input: paths.join('\n'),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const lines = r.stdout.split('\n').filter(Boolean);
  if (r.status !== 0) lines.push(`pydicom exited with ${r.status}`);
  return lines;
}
