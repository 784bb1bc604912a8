/**
 * Synth assertions for YizhanStack: table, functions, routes, IAM, China partition and
 * cdk-nag. Each stage is synthesised once (beforeAll) and shared by the tests; the dev
 * synth bundles every real handler with esbuild, the others skip bundling.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { Token, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FUNCTIONS, listRoutes } from '../../shared/api/routes';
import { tableDefinition } from '../../shared/db/table';
import { ESM_REQUIRE_BANNER, NODE_RUNTIME } from '../../infra/lib/domain-function';
import { CORS_ALLOW_HEADERS, WECHAT_SECRET_PLACEHOLDER } from '../../infra/lib/yizhan-stack';
import { resourcesOf, synth, type Synthesized } from './synth';

let dev: Synthesized;
let prod: Synthesized;
let china: Synthesized;
/** What the AwsSolutions plugin reported while the dev app synthesised (nag=true). */
let nagDuringSynth: Array<{ success: boolean }> = [];

beforeAll(() => {
  const validate = vi.spyOn(AwsSolutionsChecks.prototype, 'validate');
  try {
    dev = synth({ stage: 'dev', nag: 'true' }, { bundle: true });
    nagDuringSynth = validate.mock.results.map((r) => r.value);
  } finally {
    validate.mockRestore();
  }
  prod = synth({ stage: 'prod' });
  china = synth({ stage: 'prod', region: 'cn-north-1' });
}, 120_000);

afterAll(() => {
  for (const s of [dev, prod, china]) s?.cleanup();
});

/** Logical id of a construct's CloudFormation resource. */
function logicalId(s: Synthesized, c: IConstruct): string {
  return s.stack.resolve((c.node.defaultChild as any).logicalId) as string;
}

function newestNodeRuntime(): lambda.Runtime {
  const candidates = Object.entries(lambda.Runtime)
    .filter(([k, v]) => /^NODEJS_\d+_X$/.test(k) && v instanceof lambda.Runtime)
    .map(([k, v]) => ({ major: Number(k.split('_')[1]), runtime: v as lambda.Runtime }));
  candidates.sort((a, b) => b.major - a.major);
  return candidates[0].runtime;
}

describe('table', () => {
  it('is built from shared/db/table.ts: keys, GSIs, TTL, stream', () => {
    const gsis = tableDefinition.globalSecondaryIndexes;
    expect(gsis.map((g) => g.indexName)).toEqual(['GSI1', 'GSI2', 'GSI3']);
    dev.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        ...gsis.flatMap((g) => [
          { AttributeName: g.partitionKey, AttributeType: 'S' },
          { AttributeName: g.sortKey, AttributeType: 'S' },
        ]),
      ]),
      GlobalSecondaryIndexes: gsis.map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          { AttributeName: g.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('is on-demand with PITR and encryption at rest', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('dev can be torn down; prod has deletion protection and is retained', () => {
    dev.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    prod.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    for (const type of ['AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of resourcesOf(prod.json, type)) {
        expect(r.DeletionPolicy, `${type} ${id}`).toBe('Retain');
      }
    }
  });
});

describe('functions', () => {
  it('one per domain, newest Node runtime, arm64, ESM handler', () => {
    const newest = newestNodeRuntime();
    expect(NODE_RUNTIME.name).toBe(newest.name);
    expect(Number(newest.name.match(/^nodejs(\d+)\.x$/)?.[1])).toBeGreaterThanOrEqual(24);
    for (const s of [dev, prod, china]) {
      const fns = resourcesOf(s.json, 'AWS::Lambda::Function');
      expect(fns).toHaveLength(FUNCTIONS.length);
      for (const [id, fn] of fns) {
        expect(fn.Properties.Runtime, id).toBe(newest.name);
        expect(fn.Properties.Architectures, id).toEqual(['arm64']);
        expect(fn.Properties.Handler, id).toBe('index.handler');
      }
    }
  });

  it('can fall back to an older Node runtime by context for a region that lacks the newest', () => {
    const older = synth({ lambdaRuntime: 'nodejs22.x' });
    try {
      for (const [, fn] of resourcesOf(older.json, 'AWS::Lambda::Function')) expect(fn.Properties.Runtime).toBe('nodejs22.x');
    } finally {
      older.cleanup();
    }
    expect(() => synth({ lambdaRuntime: 'python3.12' })).toThrow(/lambdaRuntime/);
  });

  it('gets its configuration, own log group with retention and source maps', () => {
    const t = dev.template;
    for (const domain of FUNCTIONS) {
      const f = dev.stack.functions[domain];
      const fn = dev.json.Resources[logicalId(dev, f.fn)];
      expect(fn.Properties.Environment.Variables).toEqual({
        STAGE: 'dev',
        TABLE_NAME: { Ref: logicalId(dev, dev.stack.table) },
        POWERTOOLS_SERVICE_NAME: domain,
        NODE_OPTIONS: '--enable-source-maps',
        JWT_SECRET_ARN: { Ref: expect.stringMatching(/^JwtSecret/) },
        WECHAT_SECRET_ARN: { Ref: expect.stringMatching(/^WechatSecret/) },
        PII_KMS_KEY_ID: { Ref: expect.stringMatching(/^PiiKey/) },
        PII_BLIND_INDEX_SECRET_ARN: { Ref: expect.stringMatching(/^PiiIndexSecret/) },
        TICKET_SIGNING_KEY_ARN: { Ref: expect.stringMatching(/^TicketSigningKey/) },
        CORS_ORIGINS: '*',
      });
      const logGroupId = logicalId(dev, f.logGroup);
      expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(dev.json.Resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
    }
    // Nothing else creates log groups behind our back (no LogRetention custom resource).
    t.resourceCountIs('Custom::LogRetention', 0);
    expect(resourcesOf(prod.json, 'AWS::Logs::LogGroup').every(([, r]) => r.Properties.RetentionInDays >= 180)).toBe(true);
  });

  it('bundles every real handler with esbuild (minified ESM with source map and require banner)', () => {
    for (const domain of FUNCTIONS) {
      const fn = dev.json.Resources[logicalId(dev, dev.stack.functions[domain].fn)];
      const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const assetDir = join(dev.outdir, `asset.${assetHash}`);
      const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER), domain).toBe(true);
      expect(code, domain).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(existsSync(join(assetDir, 'index.mjs.map')), domain).toBe(true);
      expect(code, domain).toMatch(/sourceMappingURL=index\.mjs\.map/);
    }
  });

  it('the bundles load as ESM in Node and auth answers $default with a 404 problem', () => {
    const bundles = Object.fromEntries(
      FUNCTIONS.map((domain) => {
        const fn = dev.json.Resources[logicalId(dev, dev.stack.functions[domain].fn)];
        const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
        return [domain, pathToFileURL(join(dev.outdir, `asset.${hash}`, 'index.mjs')).href];
      }),
    );
    const script = `
      const bundles = ${JSON.stringify(bundles)};
      const out = {};
      for (const [domain, url] of Object.entries(bundles)) out[domain] = typeof (await import(url)).handler;
      const auth = (await import(bundles.auth)).handler;
      const res = await auth({
        version: '2.0', routeKey: '$default', rawPath: '/v1/no-such-route', rawQueryString: '', headers: {}, isBase64Encoded: false,
        requestContext: { http: { method: 'GET', path: '/v1/no-such-route', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
          requestId: 'req-1', routeKey: '$default', stage: '$default', timeEpoch: Date.now() },
      }, { awsRequestId: 'req-1' });
      out.$default = { status: res.statusCode, type: res.headers?.['content-type'] ?? res.headers?.['Content-Type'] };
      process.stdout.write('\\n' + JSON.stringify(out));
    `;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dev.outdir,
      env: {
        PATH: process.env.PATH,
        STAGE: 'dev',
        TABLE_NAME: 'yizhan-bundle-test',
        AWS_REGION: 'cn-north-1',
        POWERTOOLS_SERVICE_NAME: 'auth',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        LOG_LEVEL: 'ERROR',
        AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    for (const domain of FUNCTIONS) expect(result[domain], domain).toBe('function');
    expect(result.$default.status).toBe(404);
    expect(result.$default.type).toMatch(/^application\/problem\+json/);
  });

  it('runs the jobs function every minute', () => {
    const jobs = logicalId(dev, dev.stack.functions.jobs.fn);
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [jobs, 'Arn'] } })],
    });
  });
});

describe('HTTP API', () => {
  const deployed = listRoutes().filter((r) => !r.localOnly);
  const localOnly = listRoutes().filter((r) => r.localOnly);

  function routeTargets(s: Synthesized): Map<string, string> {
    // routeKey -> function logical id, following Route.Target -> Integration -> Lambda.
    const byIntegration = new Map<string, string>();
    for (const [id, r] of resourcesOf(s.json, 'AWS::ApiGatewayV2::Integration')) {
      byIntegration.set(id, r.Properties.IntegrationUri['Fn::GetAtt'][0]);
    }
    const out = new Map<string, string>();
    for (const [, r] of resourcesOf(s.json, 'AWS::ApiGatewayV2::Route')) {
      const integrationId = r.Properties.Target['Fn::Join'][1][1].Ref;
      out.set(r.Properties.RouteKey, byIntegration.get(integrationId)!);
    }
    return out;
  }

  it('deploys every non-local route to its function, plus $default to auth', () => {
    expect(deployed.length).toBeGreaterThan(0);
    for (const s of [dev, china]) {
      const targets = routeTargets(s);
      for (const r of deployed) {
        expect(targets.get(r.routeKey), r.routeKey).toBe(logicalId(s, s.stack.functions[r.fn].fn));
      }
      expect(targets.get('$default')).toBe(logicalId(s, s.stack.functions.auth.fn));
      expect(targets.size).toBe(deployed.length + 1);
    }
  });

  it('never deploys local-only routes such as POST /v1/auth/dev-login', () => {
    expect(localOnly.map((r) => r.routeKey)).toContain('POST /v1/auth/dev-login');
    for (const s of [dev, prod, china]) {
      const keys = resourcesOf(s.json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
      expect(keys).not.toContain('POST /v1/auth/dev-login');
      for (const r of localOnly) expect(keys).not.toContain(r.routeKey);
      expect(JSON.stringify(s.json)).not.toContain('dev-login');
    }
  });

  it('uses payload format 2.0 with one invoke permission per function', () => {
    for (const [, i] of resourcesOf(dev.json, 'AWS::ApiGatewayV2::Integration')) {
      expect(i.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
    const apiPermissions = resourcesOf(dev.json, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    const integrations = resourcesOf(dev.json, 'AWS::ApiGatewayV2::Integration');
    expect(apiPermissions).toHaveLength(integrations.length);
  });

  it('answers CORS preflights', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['*'],
        AllowHeaders: CORS_ALLOW_HEADERS,
        AllowMethods: ['*'],
      }),
    });
    const narrowed = synth({ corsOrigins: 'https://a.example, https://b.example' });
    try {
      narrowed.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://a.example', 'https://b.example'] }),
      });
    } finally {
      narrowed.cleanup();
    }
  });

  it('throttles the default stage and writes JSON access logs', () => {
    const [[, stage]] = resourcesOf(dev.json, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: expect.any(Number), ThrottlingRateLimit: expect.any(Number) },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
    });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' });
    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(dev.json.Resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(dev.json.Resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('outputs the API URL and the table name', () => {
    expect(Object.keys(dev.json.Outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'TableName']));
    expect(dev.json.Outputs.TableName.Value).toEqual({ Ref: logicalId(dev, dev.stack.table) });
  });
});

describe('security', () => {
  function statements(s: Synthesized): any[] {
    return resourcesOf(s.json, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  }
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]);

  it('grants no wildcard actions (in particular none like dynamodb:* on the table)', () => {
    const table = logicalId(dev, dev.stack.table);
    const tableStatements = statements(dev).filter((st) => JSON.stringify(st.Resource).includes(table));
    expect(tableStatements.length).toBe(FUNCTIONS.length);
    for (const st of statements(dev)) {
      for (const action of list(st.Action)) expect(action, JSON.stringify(st)).not.toContain('*');
    }
    for (const st of tableStatements) expect(list(st.Action)).not.toContain('dynamodb:*');
    // No AWS managed policies on the function roles.
    for (const [, role] of resourcesOf(dev.json, 'AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('reads the WeChat secret where WeChat is called (sign-in, pay, refund, chat), the ticket key only where tickets are issued', () => {
    const readersOf = (name: string) => {
      const id = logicalId(dev, dev.stack.node.findChild(name));
      return resourcesOf(dev.json, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(id))
        .map(([pid]) => pid.replace(/FnRole.*/, '').toLowerCase())
        .sort();
    };
    expect(readersOf('WechatSecret')).toEqual(['auth', 'bikes', 'chat', 'cruise', 'jobs', 'orders', 'parking', 'ticketing']);
    expect(readersOf('TicketSigningKey')).toEqual(['jobs', 'orders', 'ticketing']);
  });

  it('has a rotating customer-managed PII key and the secrets', () => {
    dev.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    dev.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    const wechat = resourcesOf(dev.json, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('WechatSecret'))!;
    expect(Object.keys(JSON.parse(wechat[1].Properties.SecretString))).toEqual(Object.keys(WECHAT_SECRET_PLACEHOLDER));
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement explained', () => {
    for (const s of [dev, prod, china]) {
      const report = new AwsSolutionsChecks().validateScope(s.app);
      const unacknowledged = report.violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      expect(unacknowledged, s.config.stage + (s.config.region ?? '')).toEqual([]);
    }
    const acknowledgements: Array<{ path: string; id: string; reason: string }> = [];
    for (const c of dev.app.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries<any>(m.data)) {
          acknowledgements.push({ path: c.node.path, id, reason: typeof reason === 'string' ? reason : reason?.reason });
        }
      }
    }
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const a of acknowledgements) {
      expect(a.reason?.length ?? 0, `${a.path} ${a.id}`).toBeGreaterThan(60);
    }

    // Not vacuous, and no stale acknowledgement: without them nag reports exactly the
    // rules that are acknowledged.
    const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined as any);
    let bare: Synthesized | undefined;
    try {
      bare = synth({ stage: 'dev' });
    } finally {
      spy.mockRestore();
    }
    try {
      const flagged = new AwsSolutionsChecks().validateScope(bare.app).violations.map((v) => v.ruleName);
      const acknowledged = new Set(acknowledgements.map((a) => a.id.replace(/^annotation::/i, '')));
      expect(new Set(flagged)).toEqual(acknowledged);
    } finally {
      bare.cleanup();
    }
  });

  it('runs cdk-nag inside `cdk synth` with --context nag=true', () => {
    expect(nagDuringSynth).toEqual([expect.objectContaining({ success: true })]);
    const report = JSON.parse(readFileSync(join(dev.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.filter((p: any) => p.conclusion !== 'success')).toEqual([]);
  });
});

describe('partitions and environments', () => {
  it('without a region the stack is environment-agnostic', () => {
    expect(Token.isUnresolved(dev.stack.region)).toBe(true);
    expect(Token.isUnresolved(dev.stack.account)).toBe(true);
  });

  it('synthesises for cn-north-1 without any hard-coded aws partition ARN', () => {
    expect(china.stack.region).toBe('cn-north-1');
    expect(china.stack.partition).toBe('aws-cn');
    const text = JSON.stringify(china.json);
    expect(text).not.toContain('arn:aws:');
    expect(JSON.stringify(dev.json)).not.toContain('arn:aws:');
    expect(JSON.stringify(prod.json)).not.toContain('arn:aws:');
  });
});
