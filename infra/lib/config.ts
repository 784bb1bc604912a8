/**
 * Deployment settings, read from CDK context (`--context key=value` or cdk.json).
 * Everything has a default so `npx cdk synth` works offline with no flags.
 */
import type { Node } from 'constructs';

export type StageName = string;

export interface DeploymentConfig {
  /** `dev` (default) or `prod`; prod retains data and turns on deletion protection. */
  stage: StageName;
  /** Target region (e.g. `cn-north-1`); undefined means an environment-agnostic stack. */
  region?: string;
  /** Allowed CORS origins for the HTTP API (`*` by default). */
  corsOrigins: string[];
  /** Default-stage throttling of the HTTP API. */
  throttle: { rateLimit: number; burstLimit: number };
  /** Run cdk-nag AwsSolutions checks during `cdk synth`. */
  nag: boolean;
  /**
   * Lambda runtime override (`nodejs22.x`) for a region that lacks the newest one;
   * undefined means the newest Node runtime (NODE_RUNTIME).
   */
  lambdaRuntime?: string;
}

const THROTTLE_DEFAULTS: Record<'dev' | 'prod', DeploymentConfig['throttle']> = {
  dev: { rateLimit: 50, burstLimit: 100 },
  prod: { rateLimit: 1000, burstLimit: 2000 },
};

function str(node: Node, key: string): string | undefined {
  const v = node.tryGetContext(key);
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function num(node: Node, key: string, fallback: number): number {
  const s = str(node, key);
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`context ${key} must be a positive number, got "${s}"`);
  return n;
}

export function isProd(stage: StageName): boolean {
  return stage === 'prod';
}

export function readConfig(node: Node): DeploymentConfig {
  const stage = str(node, 'stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) {
    throw new Error(`context stage must be lower-case letters, digits or dashes (got "${stage}")`);
  }
  const region = str(node, 'region');
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new Error(`context region "${region}" does not look like an AWS region`);
  }
  const corsOrigins = (str(node, 'corsOrigins') ?? '*')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const defaults = THROTTLE_DEFAULTS[isProd(stage) ? 'prod' : 'dev'];
  const nagValue = str(node, 'nag');
  const lambdaRuntime = str(node, 'lambdaRuntime');
  if (lambdaRuntime !== undefined && !/^nodejs\d+\.x$/.test(lambdaRuntime)) {
    throw new Error(`context lambdaRuntime must look like nodejs22.x (got "${lambdaRuntime}")`);
  }
  return {
    stage,
    region,
    corsOrigins: corsOrigins.length ? corsOrigins : ['*'],
    throttle: {
      rateLimit: num(node, 'throttleRate', defaults.rateLimit),
      burstLimit: num(node, 'throttleBurst', defaults.burstLimit),
    },
    nag: nagValue === 'true' || nagValue === '1',
    lambdaRuntime,
  };
}
