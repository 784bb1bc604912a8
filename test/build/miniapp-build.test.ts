/**
 * The WeChat mini-program build: `npm run build:weapp` must produce an app.json that
 * lists every page declared in miniapp/src/app.config.ts, and each page's .js/.wxml/.json.
 * (The H5 build is exercised by the e2e tests.)
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const miniapp = path.join(repoRoot, 'miniapp')
const outDir = path.join(miniapp, 'dist', 'weapp')

interface SubPackage {
  root: string
  pages: string[]
}
interface AppConfig {
  pages: string[]
  subPackages?: SubPackage[]
  subpackages?: SubPackage[]
}

/** Load app.config.ts as Taro does: `defineAppConfig` is a compile-time global. */
async function loadAppConfig(): Promise<AppConfig> {
  const g = globalThis as { defineAppConfig?: (c: AppConfig) => AppConfig }
  g.defineAppConfig ??= (c) => c
  // non-literal specifier: keeps the mini-app's sources out of the root typecheck
  const mod = (await import(pathToFileURL(path.join(miniapp, 'src', 'app.config.ts')).href)) as { default: AppConfig }
  return mod.default
}

function allPages(cfg: AppConfig): string[] {
  const subs = cfg.subPackages ?? cfg.subpackages ?? []
  return [...cfg.pages, ...subs.flatMap((s) => s.pages.map((p) => `${s.root.replace(/\/$/, '')}/${p}`))]
}

describe('miniapp weapp build', () => {
  let buildStartedAt = 0
  let appConfig: AppConfig

  beforeAll(async () => {
    appConfig = await loadAppConfig()
    rmSync(outDir, { recursive: true, force: true })
    buildStartedAt = Date.now()
    await run('npm', ['run', 'build:weapp'], {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 180_000,
      maxBuffer: 64 * 1024 * 1024,
    })
  }, 200_000)

  it('writes a fresh app.json that lists every declared page', () => {
    const appJsonPath = path.join(outDir, 'app.json')
    expect(existsSync(appJsonPath)).toBe(true)
    expect(statSync(appJsonPath).mtimeMs).toBeGreaterThanOrEqual(buildStartedAt - 1000)

    const appJson = JSON.parse(readFileSync(appJsonPath, 'utf8')) as AppConfig
    expect(appConfig.pages.length).toBeGreaterThan(0)
    expect(allPages(appJson).sort()).toEqual(allPages(appConfig).sort())
  })

  it('emits .js, .wxml and .json for each page', () => {
    for (const page of allPages(appConfig)) {
      for (const ext of ['js', 'wxml', 'json']) {
        expect(existsSync(path.join(outDir, `${page}.${ext}`)), `${page}.${ext}`).toBe(true)
      }
    }
  })

  it('carries the project config (appid) for WeChat DevTools', () => {
    const projectConfig = JSON.parse(readFileSync(path.join(outDir, 'project.config.json'), 'utf8')) as { appid: string }
    expect(projectConfig.appid).toBe('touristappid')
  })
})
