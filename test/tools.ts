import { spawnSync } from 'node:child_process';

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
