/**
 * Builds the H5 mini-app on first start and caches it: the build is redone only when the
 * mini-app's sources or config change (a content hash is kept next to the output).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
export const H5_DIR = join(root, 'miniapp', 'dist', 'h5');
const HASH_FILE = join(H5_DIR, '.yizhan-build-hash');

function walk(dir: string, out: string[]) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
}

export function h5SourceHash(apiBase: string): string {
  const files: string[] = [];
  walk(join(root, 'miniapp', 'src'), files);
  walk(join(root, 'miniapp', 'config'), files);
  for (const f of ['miniapp/package.json', 'miniapp/babel.config.js', 'miniapp/tsconfig.json', 'shared/api/generated/types.ts']) {
    if (existsSync(join(root, f))) files.push(join(root, f));
  }
  const h = createHash('sha256').update(`api=${apiBase}\n`);
  for (const f of files) h.update(f.slice(root.length)).update(readFileSync(f));
  return h.digest('hex');
}

export function h5IsFresh(apiBase = ''): boolean {
  return existsSync(join(H5_DIR, 'index.html')) && existsSync(HASH_FILE) && readFileSync(HASH_FILE, 'utf8') === h5SourceHash(apiBase);
}

const LOCK_DIR = join(root, 'miniapp', 'dist', '.h5-build.lock');

/** One builder at a time (several local stacks may start at once, e.g. in tests). */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(join(root, 'miniapp', 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      break;
    } catch {
      try {
        const holder = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
        const alive = holder > 0 && (() => { try { process.kill(holder, 0); return true; } catch { return false; } })();
        if (!alive || Date.now() - statSync(LOCK_DIR).mtimeMs > 5 * 60_000) rmSync(LOCK_DIR, { recursive: true, force: true });
      } catch {
        /* released meanwhile, or the holder has not written its pid yet */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

export async function ensureH5Build(log: (s: string) => void, apiBase = ''): Promise<void> {
  if (h5IsFresh(apiBase)) return;
  await withBuildLock(() => buildH5(log, apiBase));
}

async function buildH5(log: (s: string) => void, apiBase: string): Promise<void> {
  if (h5IsFresh(apiBase)) return;
  log('building the H5 mini-app (first start or sources changed; about 30 s)…');
  const hash = h5SourceHash(apiBase);
  await new Promise<void>((res, rej) => {
    const child = spawn('npm', ['run', 'build:h5', '-w', 'miniapp'], {
      cwd: root,
      env: { ...process.env, YIZHAN_API_BASE: apiBase, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out = (out + d).slice(-4000)));
    child.stderr.on('data', (d) => (out = (out + d).slice(-4000)));
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res() : rej(new Error(`H5 build failed (exit ${code}):\n${out}`))));
  });
  writeFileSync(HASH_FILE, hash);
}
