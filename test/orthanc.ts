import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's packages: `dpkg -L orthanc orthanc-dicomweb`. */
const ORTHANC = '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export const hasOrthanc = (): boolean => existsSync(ORTHANC) && existsSync(DICOMWEB_PLUGIN);

/** A free loopback port: bind to 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface OrthancOptions {
  readonly aeTitle: string;
  /** Peers it may C-MOVE to and accept from: name → [AE title, port] on loopback. */
  readonly modalities?: Readonly<Record<string, readonly [string, number]>>;
  /** A DICOM port chosen beforehand (a peer that comes up late); default a free one. */
  readonly dicomPort?: number;
  /** More configuration, e.g. { Jpeg2000TransferSyntaxAccepted: false }. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A throwaway Orthanc: its own ports, config and storage, for one test file. */
export class OrthancInstance {
  private constructor(
    readonly aeTitle: string,
    readonly dicomPort: number,
    readonly httpPort: number,
    private readonly dir: string,
    private readonly process: ChildProcess,
  ) {}

  static readonly USER = 'tester';
  static readonly PASSWORD = 'not-a-secret';

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get dicomweb(): string {
    return `${this.url}/dicom-web`;
  }

  get authorization(): string {
    return `Basic ${Buffer.from(`${OrthancInstance.USER}:${OrthancInstance.PASSWORD}`).toString('base64')}`;
  }

  static async start(options: OrthancOptions): Promise<OrthancInstance> {
    const dir = mkdtempSync(join(tmpdir(), 'orthanc-'));
    const [dicomPort, httpPort] = [options.dicomPort ?? (await freePort()), await freePort()];
    const modalities = Object.fromEntries(
      Object.entries(options.modalities ?? {}).map(([name, [ae, port]]) => [name, [ae, '127.0.0.1', port]]),
    );
    const config = {
      Name: options.aeTitle,
      StorageDirectory: join(dir, 'db'),
      IndexDirectory: join(dir, 'db'),
      HttpPort: httpPort,
      DicomPort: dicomPort,
      DicomAet: options.aeTitle,
      DicomCheckCalledAet: true,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: true,
      RegisteredUsers: { [OrthancInstance.USER]: OrthancInstance.PASSWORD },
      DicomModalities: modalities,
      Plugins: [DICOMWEB_PLUGIN],
      DicomWeb: { Enable: true, Root: '/dicom-web/' },
      StableAge: 1,
      DicomScpTimeout: 10,
      DicomAssociationCloseDelay: 0,
      ...options.config,
    };
    const configPath = join(dir, 'orthanc.json');
    writeFileSync(configPath, JSON.stringify(config));
    const child = spawn(ORTHANC, [configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString('latin1')).slice(-4000);
    });
    const instance = new OrthancInstance(options.aeTitle, dicomPort, httpPort, dir, child);
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) break;
      try {
        const r = await fetch(`${instance.url}/system`, {
          headers: { authorization: instance.authorization },
        });
        if (r.ok) return instance;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await instance.stop();
    throw new Error(`Orthanc did not start: ${log}`);
  }

  async rest<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
    const r = await fetch(`${this.url}${path}`, {
      ...init,
      headers: { authorization: this.authorization, ...(init.headers ?? {}) },
    });
    if (!r.ok) throw new Error(`Orthanc ${path}: HTTP ${r.status}`);
    const type = r.headers.get('content-type') ?? '';
    return (type.includes('json') ? await r.json() : await r.arrayBuffer()) as T;
  }

  /** Uploads Part 10 files through the REST API. */
  async upload(paths: readonly string[]): Promise<void> {
    for (const p of paths) await this.rest('/instances', { method: 'POST', body: readFileSync(p) });
  }

  async instanceIds(): Promise<string[]> {
    return this.rest<string[]>('/instances');
  }

  /** The stored file of an instance, as Orthanc holds it. */
  async instanceFile(id: string): Promise<Uint8Array> {
    return new Uint8Array(await this.rest<ArrayBuffer>(`/instances/${id}/file`));
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((r) => this.process.once('exit', r));
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
