/**
 * Cold start: every functions/<fn>/handler.ts bundled like CDK's NodejsFunction does it
 * (esbuild, minified, platform node, ESM, target node22, the createRequire banner, AWS SDK
 * external as the Lambda runtime provides it), against a minimal bundle that only builds a DynamoDB client, in the same run.
 * Size = the .mjs (without its source map). Init = time to import the bundle in a fresh
 * Node process (median of several processes).
 */
import { build, type Metafile } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTIONS } from '../../shared/api/routes';
import { AWS_SDK_EXTERNALS, ESM_REQUIRE_BANNER } from '../../infra/lib/domain-function';
import { median, round, spreadOf, type Figure } from './lib';

const SIZE_LIMIT_KB = 400;
const INIT_FACTOR = 1.5;
const RUNS = Number(process.env.BENCH_INIT_RUNS ?? 7);

async function bundle(root: string, outDir: string, name: string, entry: { file?: string; code?: string }) {
  const outfile = join(outDir, `${name}.mjs`);
  const r = await build({
    ...(entry.file ? { entryPoints: [entry.file] } : { stdin: { contents: entry.code!, resolveDir: root, loader: 'ts', sourcefile: `${name}.ts` } }),
    absWorkingDir: root,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    // As CDK bundles: the runtime's AWS SDK v3 is not bundled (it loads from node_modules here).
    external: [...AWS_SDK_EXTERNALS],
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    outfile,
    logLevel: 'silent',
  });
  return { outfile, bytes: statSync(outfile).size, metafile: r.metafile! };
}

function initMs(file: string): number {
  const code = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env: { PATH: process.env.PATH, AWS_REGION: 'cn-north-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', TABLE_NAME: 'yizhan', STAGE: 'local', LOG_LEVEL: 'WARN', AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const v = Number(r.stdout);
  if (r.status !== 0 || !Number.isFinite(v)) throw new Error(`init of ${file} failed: ${r.stderr.slice(0, 400)}`);
  return v;
}

/** The heaviest inputs of a bundle, grouped by npm package (or by file for our own code). */
function heaviest(meta: Metafile, outfile: string, top = 5) {
  const out = Object.entries(meta.outputs).find(([k]) => outfile.endsWith(k.split('/').pop()!))?.[1];
  const by = new Map<string, number>();
  for (const [input, v] of Object.entries(out?.inputs ?? {})) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = m ? m[1] : input;
    by.set(key, (by.get(key) ?? 0) + v.bytesInOutput);
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, b]) => `${k} ${round(b / 1024, 0)} KB`);
}

export async function coldStartFigures(root: string, log: (s: string) => void): Promise<Figure[]> {
  // Inside the repo, so the external AWS SDK resolves from node_modules as it does from the runtime.
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const outDir = mkdtempSync(join(root, 'node_modules', '.cache', 'yizhan-cold-'));
  const minimal = await bundle(root, outDir, 'minimal', {
    code: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const client = new DynamoDBClient({});\nexport const handler = async () => ({ statusCode: 200 });\n",
  });
  // Fresh processes alternate minimal / function, so both see the same machine load; each
  // function is compared with the minimal runs interleaved with its own.
  const paired = (file: string) => {
    initMs(file); // warm the OS file cache
    const fnRuns: number[] = [];
    const minRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      minRuns.push(initMs(minimal.outfile));
      fnRuns.push(initMs(file));
    }
    return { fnRuns, minRuns };
  };
  initMs(minimal.outfile);
  const minRuns = Array.from({ length: RUNS }, () => initMs(minimal.outfile));
  const minMs = median(minRuns);
  const figures: Figure[] = [
    { name: 'cold start minimal (DynamoDB client only): bundle size', value: round(minimal.bytes / 1024, 1), unit: 'KB', spread: 0, target: 'baseline', met: true },
    { name: 'cold start minimal (DynamoDB client only): init time', value: round(minMs, 1), unit: 'ms', spread: round(spreadOf(minRuns), 1), target: 'baseline', met: true },
  ];
  for (const fn of FUNCTIONS) {
    const file = join(root, 'functions', fn, 'handler.ts');
    if (!existsSync(file)) {
      figures.push({ name: `cold start ${fn}: bundle size`, value: null, unit: 'KB', spread: null, target: `≤ ${SIZE_LIMIT_KB} KB`, met: false, note: 'not available (domain missing)' });
      continue;
    }
    const b = await bundle(root, outDir, fn, { file });
    const { fnRuns: runs, minRuns: pairedMin } = paired(b.outfile);
    const ms = median(runs);
    const baseMs = median(pairedMin);
    const kb = b.bytes / 1024;
    const sizeMet = kb <= SIZE_LIMIT_KB;
    const initMet = ms <= INIT_FACTOR * baseMs;
    const heavy = heaviest(b.metafile, b.outfile).join(', ');
    const placeholder = b.bytes < 2048 ? ' (placeholder handler: domain not landed)' : '';
    figures.push({ name: `cold start ${fn}: bundle size`, value: round(kb, 1), unit: 'KB', spread: 0, target: `≤ ${SIZE_LIMIT_KB} KB`, met: sizeMet && !placeholder, note: (sizeMet ? '' : `largest: ${heavy}`) + placeholder });
    figures.push({
      name: `cold start ${fn}: init time`,
      value: round(ms, 1),
      unit: 'ms',
      spread: round(spreadOf(runs), 1),
      target: `≤ ${INIT_FACTOR}× minimal`,
      met: initMet && !placeholder,
      note: `${round(ms / baseMs, 2)}× the minimal bundle's ${round(baseMs, 1)} ms in the same interleaved runs` + (initMet ? '' : `; largest: ${heavy}`) + placeholder,
    });
    log(`  ${fn}: ${round(kb, 1)} KB, init ${round(ms, 1)} ms (${round(ms / baseMs, 2)}× minimal ${round(baseMs, 1)} ms)`);
  }
  writeFileSync(join(outDir, 'README'), 'bench bundles; safe to delete\n');
  return figures;
}
