/**
 * One Lambda function per domain: `functions/<domain>/handler.ts` (export `handler`),
 * bundled by the local esbuild (never Docker), arm64, the newest Node runtime, its own
 * log group with retention and its own role (no AWS managed policies).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Repository root (infra/lib/ -> ../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The newest Node.js runtime aws-cdk-lib knows (nodejs20.x is deprecated in Lambda).
 * Pinned on purpose rather than `NODEJS_LATEST`: a runtime change should be a reviewed
 * diff. test/infra fails when aws-cdk-lib offers a newer one.
 */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * esbuild emits ESM; a few CommonJS dependencies still call `require` for Node
 * built-ins, which ESM lacks. The alias keeps the banner from clashing with a bundled
 * module that itself imports `createRequire`.
 */
/** Provided by the Lambda Node runtime; not bundled (the bench bundles the same way). */
export const AWS_SDK_EXTERNALS = ['@aws-sdk/*'] as const;

export const ESM_REQUIRE_BANNER =
  "import { createRequire as __yizhanCreateRequire } from 'module'; const require = __yizhanCreateRequire(import.meta.url);";

/** NODE_RUNTIME, or a named Node runtime aws-cdk-lib knows (context `lambdaRuntime`). */
export function nodeRuntime(name?: string): lambda.Runtime {
  if (!name) return NODE_RUNTIME;
  const found = lambda.Runtime.ALL.find((r) => r.name === name && r.family === lambda.RuntimeFamily.NODEJS);
  if (!found) throw new Error(`unknown Node.js Lambda runtime ${name}`);
  return found;
}

export interface DomainFunctionProps {
  domain: string;
  runtime?: lambda.Runtime;
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class DomainFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DomainFunctionProps) {
    super(scope, id);
    const { domain } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: it may write to its own log
    // group only, and every other permission is granted explicitly by the stack.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Yizhan ${domain} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      description: `Yizhan ${domain} API`,
      entry: path.join(REPO_ROOT, 'functions', domain, 'handler.ts'),
      handler: 'handler',
      runtime: props.runtime ?? NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: domain,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        target: 'node22',
        // The Lambda Node runtime ships AWS SDK v3 (client-dynamodb, lib-dynamodb, kms,
        // secrets-manager...): leaving it out of the bundle halves the bundle and its cold
        // start (npm run bench measures both). docs/decisions.md has the trade-off.
        bundleAwsSDK: false,
        externalModules: [...AWS_SDK_EXTERNALS],
      },
    });
  }
}
