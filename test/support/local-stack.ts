/**
 * Runs the real `npm start` entry point (infra/local/start.ts) as a child process on a free
 * port with its own DATA_DIR, waits for /v1/health, and stops it with SIGINT like Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../infra/local/dynamodb';

const root = resolve(import.meta.dirname, '..', '..');

export interface LocalStack {
  baseUrl: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** Ctrl-C; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** The DynamoDB Local Java process id, read from the stack's state file. */
  javaPid: () => number | undefined;
}

export async function startLocalStack(opts: { dataDir?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<LocalStack> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'yizhan-stack-'));
  // The child must configure itself from its own DATA_DIR, as `npm start` does on a fresh shell.
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of ['DYNAMODB_ENDPOINT', 'TABLE_NAME', 'STAGE', 'JWT_SECRET', 'PII_KEY_FILE', 'TICKET_SIGNING_KEY_FILE', 'WECHATPAY_SANDBOX_DIR', 'WECHATPAY_APIV3_KEY', 'PUBLIC_BASE_URL', 'NODE_ENV']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'infra/local/start.ts')], {
    cwd: root,
    env: { ...env, PORT: String(port), DATA_DIR: dataDir, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 150_000);
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`npm start exited early (${child.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${baseUrl}/v1/health`);
      ready = r.status === 200;
    } catch {
      /* not listening yet */
    }
    if (!ready) {
      if (Date.now() > deadline) {
        // Ctrl-C first so the stack stops its DynamoDB Local; force only if it hangs.
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
        throw new Error(`npm start did not become healthy in time:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const stateFile = join(dataDir, 'local-stack.json');
  return {
    baseUrl,
    port,
    dataDir,
    child,
    output: () => out,
    javaPid: () => (existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')).javaPid : undefined),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
