/**
 * In-process synthesis of the CDK app for the infra tests, with the context the CLI
 * would pass (cdk.json) plus per-test overrides.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuiltApp } from '../../infra/lib/app';
import { REPO_ROOT } from '../../infra/lib/domain-function';

const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

export interface Synthesized extends BuiltApp {
  template: Template;
  json: any;
  outdir: string;
  cleanup(): void;
}

const repoRoot = REPO_ROOT;

/**
 * @param context  overrides of cdk.json's context (stage, region, nag, ...)
 * @param bundle   run esbuild for every function (slow-ish); otherwise CDK's own
 *                 `aws:cdk:bundling-stacks` switch skips bundling, as `cdk ls`/`--exclusively` do.
 */
export function synth(context: Record<string, unknown> = {}, { bundle = false } = {}): Synthesized {
  // Inside the repo's node_modules/.cache: bundles leave the AWS SDK out (the Lambda runtime
  // provides it), and from here Node resolves it from node_modules the same way.
  mkdirSync(join(repoRoot, 'node_modules', '.cache'), { recursive: true });
  const outdir = mkdtempSync(join(repoRoot, 'node_modules', '.cache', 'yizhan-cdk-'));
  const cleanup = () => rmSync(outdir, { recursive: true, force: true });
  let built: BuiltApp;
  let template: Template;
  try {
    built = buildApp({
      outdir,
      context: { ...cdkJson.context, ...context, 'aws:cdk:bundling-stacks': bundle ? ['**'] : [] },
    });
    template = Template.fromStack(built.stack);
  } catch (e) {
    cleanup();
    throw e;
  }
  return {
    ...built,
    template,
    json: template.toJSON(),
    outdir,
    cleanup,
  };
}

/** Resources of one type as [logicalId, resource] pairs. */
export function resourcesOf(json: any, type: string): Array<[string, any]> {
  return Object.entries<any>(json.Resources ?? {}).filter(([, r]) => r.Type === type);
}
