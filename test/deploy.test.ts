import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const DEPLOY = join(ROOT, 'deploy');

function manifest(name: string) {
  const docs = parseAllDocuments(readFileSync(join(DEPLOY, 'kubernetes', name), 'utf8'));
  expect(docs).toHaveLength(1);
  expect(docs[0]!.errors).toEqual([]);
  // biome-ignore lint/suspicious/noExplicitAny: a parsed manifest, checked field by field below
  const job = docs[0]!.toJS() as any;
  expect(job.apiVersion).toBe('batch/v1');
  expect(job.kind).toBe('Job');
  expect(job.spec.template.spec.restartPolicy).toBe('Never');
  return job;
}

describe('the Kubernetes Indexed Job', () => {
  it('runs one shard per completion index, all of them, with the key from a Secret only its owner reads', () => {
    const job = manifest('deid-shards.yaml');
    expect(job.spec.completionMode).toBe('Indexed');
    const [container] = job.spec.template.spec.containers;
    const shards = Number(container.env.find((e: { name: string }) => e.name === 'SHARDS').value);
    expect(job.spec.completions).toBe(shards);
    expect(job.spec.parallelism).toBeLessThanOrEqual(shards);
    const script: string = container.args[0];
    // The completion index counts from 0, shards from 1.
    expect(script).toContain('K=$((JOB_COMPLETION_INDEX + 1))');
    expect(script).toContain('--shard "$K/$SHARDS"');
    for (const folder of ['out', 'reports', 'audit']) expect(script).toContain(`/data/${folder}/shard-$K`);
    const keyMount = container.volumeMounts.find((m: { name: string }) => m.name === 'key');
    expect(script).toContain(`--key-file ${keyMount.mountPath}/project.key`);
    expect(keyMount.readOnly).toBe(true);
    const key = job.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'key');
    expect(key.secret.secretName).toBeTruthy();
    expect(key.secret.defaultMode & 0o077).toBe(0);
    const data = job.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'data');
    expect(data.persistentVolumeClaim.claimName).toBeTruthy();
  });

  it('merges the shards’ folders that the Indexed Job writes', () => {
    const script: string = manifest('deid-merge.yaml').spec.template.spec.containers[0].args[0];
    expect(script).toContain('merge-reports /data/reports/shard-*');
    expect(script).toContain('--audit-in /data/audit/shard-*');
  });
});

describe('the Slurm array scripts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deid-slurm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('run as array tasks 1..3 of 3 and then merge to what one run reports', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    const key = join(dir, 'project.key');
    writeFileSync(key, `${'5a3c'.repeat(16)}\n`, { mode: 0o600 });
    const env = {
      ...process.env,
      HOME: join(dir, 'home'),
      DEID: `${process.execPath} ${join(ROOT, 'bin', 'dicom-deid.js')}`,
      DEID_INPUT: join(ROOT, 'assets', 'samples'),
      DEID_DATA: join(dir, 'data'),
      DEID_KEY: key,
      SLURM_ARRAY_TASK_COUNT: '3',
      SLURM_CPUS_PER_TASK: '1',
    };
    for (const task of ['1', '2', '3']) {
      const r = spawnSync('bash', [join(DEPLOY, 'slurm', 'deid-shards.sh')], {
        env: { ...env, SLURM_ARRAY_TASK_ID: task },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
    }
    const merged = spawnSync('bash', [join(DEPLOY, 'slurm', 'deid-merge.sh')], { env, encoding: 'utf8' });
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^3 reports combined/);

    const one = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'dicom-deid.js'), 'anonymize', env.DEID_INPUT, '--out', join(dir, 'one')]
        .concat(['--report', join(dir, 'one.report'), '--audit', join(dir, 'one.audit'), '--key-file', key])
        .concat(['--workers', '1']),
      { env, encoding: 'utf8' },
    );
    expect(one.status, one.stderr).toBeLessThanOrEqual(1);
    const summary = (folder: string) =>
      JSON.parse(readFileSync(join(folder, 'deid-report.json'), 'utf8')).summary as Record<string, number>;
    const whole = summary(join(dir, 'one.report'));
    expect(whole.written).toBeGreaterThan(0);
    expect(summary(join(dir, 'data', 'reports', 'all'))).toEqual(whole);
  }, 300_000);
});
