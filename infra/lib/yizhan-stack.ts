/**
 * YizhanStack: the whole deployed system.
 *
 *   HTTP API (payload 2.0, CORS, throttling, JSON access logs)
 *     -> one NodejsFunction per domain (routes from shared/api/routes.ts)
 *     -> DynamoDB single table (from shared/db/table.ts)
 *   EventBridge rule every minute -> jobs
 *   Secrets Manager: JWT signing key (generated), WeChat keys (operator fills in)
 *   KMS customer-managed key for PII envelope encryption
 *
 * Partition-agnostic: no ARN is written by hand, so the same code synthesises for
 * `aws` and `aws-cn` (cn-north-1 / cn-northwest-1).
 */
import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../shared/db/table';
import { FUNCTIONS, listRoutes, type ApiRoute, type FunctionName } from '../../shared/api/routes';
import { isProd, type DeploymentConfig } from './config';
import { DomainFunction, nodeRuntime } from './domain-function';

/**
 * Shape of the WeChat secret. Deployed with these placeholders; the operator replaces
 * the values (see docs/deploy.md). Changing this object changes the template and would
 * overwrite the operator's values on the next deploy, so keep it stable.
 */
export const WECHAT_SECRET_PLACEHOLDER = {
  appId: 'REPLACE_ME', // mini-program AppID
  appSecret: 'REPLACE_ME', // mini-program AppSecret (code2Session)
  mchId: 'REPLACE_ME', // WeChat Pay merchant id
  mchSerialNo: 'REPLACE_ME', // serial number of the merchant API certificate
  mchPrivateKey: 'REPLACE_ME', // merchant API private key (PEM), signs WECHATPAY2-SHA256-RSA2048
  platformCert: 'REPLACE_ME', // WeChat Pay platform certificate (PEM), verifies notifications
  platformCertSerial: 'REPLACE_ME', // its serial number (Wechatpay-Serial)
  apiV3Key: 'REPLACE_ME', // APIv3 key, decrypts AEAD_AES_256_GCM notification resources
  oaAppId: 'REPLACE_ME', // Official Account AppID (chat)
  oaToken: 'REPLACE_ME', // Official Account server token (signature check)
  notifyUrl: 'REPLACE_ME', // https://<api>/v1/payments/wechatpay/notify (WeChat Pay notify_url)
} as const;

/** What each domain may touch besides the table, its JWT key and the PII key. */
// Every selling domain may refund through WeChat Pay (trip, spot or voyage cancelled by its operator).
const NEEDS_WECHAT: ReadonlySet<FunctionName> = new Set<FunctionName>(['auth', 'orders', 'chat', 'jobs', 'ticketing', 'parking', 'bikes', 'cruise']);
// Paying a ticket order issues its e-tickets (the orders plug-in runs in orders and jobs too).
const NEEDS_TICKET_KEY: ReadonlySet<FunctionName> = new Set<FunctionName>(['ticketing', 'orders', 'jobs']);

const FUNCTION_SIZING: Partial<Record<FunctionName, { memorySize: number; timeout: Duration }>> = {
  // Runs every minute; stays under the period so two sweeps never overlap for long.
  jobs: { memorySize: 512, timeout: Duration.seconds(50) },
};

export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'x-correlation-id'];
export const CORS_EXPOSE_HEADERS = ['x-correlation-id', 'retry-after'];

export interface YizhanStackProps extends StackProps {
  config: DeploymentConfig;
  /** The API routes; defaults to listRoutes() from shared/api/routes.ts. */
  routes?: ApiRoute[];
}

export class YizhanStack extends Stack {
  readonly table: dynamodb.Table;
  readonly api: apigw.HttpApi;
  readonly functions: Record<FunctionName, DomainFunction>;

  constructor(scope: Construct, id: string, props: YizhanStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prod = isProd(config.stage);
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = prod ? logs.RetentionDays.SIX_MONTHS : logs.RetentionDays.ONE_MONTH;

    // ---- data --------------------------------------------------------------------
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      stream: dynamodb.StreamViewType[tableDefinition.stream],
      deletionProtection: prod,
      removalPolicy,
    });
    for (const gsi of tableDefinition.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // ---- keys and secrets --------------------------------------------------------
    const piiKey = new kms.Key(this, 'PiiKey', {
      description: `Yizhan ${config.stage}: envelope encryption of personal information (ID, passport, phone numbers)`,
      enableKeyRotation: true,
      alias: `alias/yizhan-${config.stage}-pii`,
      removalPolicy,
      pendingWindow: Duration.days(prod ? 30 : 7),
    });

    const jwtSecret = new secretsmanager.Secret(this, 'JwtSecret', {
      description: `Yizhan ${config.stage}: HS256 signing key of the API bearer tokens (generated)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(jwtSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The JWT signing key has no rotation Lambda: a rotation would invalidate every issued token at once. ' +
        'It is rotated deliberately (docs/deploy.md); tokens expire after 12 hours (shared/http/auth.ts TOKEN_TTL_SECONDS).',
    });

    const wechatSecret = new secretsmanager.Secret(this, 'WechatSecret', {
      description: `Yizhan ${config.stage}: WeChat mini-program, WeChat Pay and Official Account keys (JSON; fill in after the first deploy)`,
      secretObjectValue: Object.fromEntries(
        Object.entries(WECHAT_SECRET_PLACEHOLDER).map(([k, v]) => [k, SecretValue.unsafePlainText(v)]),
      ),
      removalPolicy,
    });
    Validations.of(wechatSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'WeChat AppSecret, merchant key, platform certificate and APIv3 key are issued by WeChat and can only be ' +
        'rotated in the WeChat consoles; the operator then updates this secret by hand (docs/deploy.md).',
    });

    const piiIndexSecret = new secretsmanager.Secret(this, 'PiiIndexSecret', {
      description: `Yizhan ${config.stage}: HMAC secret of the PII blind indexes (generated; never change it)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(piiIndexSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Blind indexes are HMACs stored with the data: rotating this secret would orphan every index (duplicate checks, look-ups), so it is never rotated.',
    });
    const ticketKeySecret = new secretsmanager.Secret(this, 'TicketSigningKey', {
      description: `Yizhan ${config.stage}: Ed25519 private key (PKCS#8 PEM) that signs e-ticket QR codes (fill in after the first deploy, docs/deploy.md)`,
      secretStringValue: SecretValue.unsafePlainText('REPLACE_ME'),
      removalPolicy,
    });
    Validations.of(ticketKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Gates verify e-tickets offline with the published public key; the signing key is rotated deliberately together with the gates (docs/deploy.md), not by a Lambda.',
    });

    // ---- functions ---------------------------------------------------------------
    const commonEnv = {
      STAGE: config.stage,
      TABLE_NAME: this.table.tableName,
      JWT_SECRET_ARN: jwtSecret.secretArn,
      WECHAT_SECRET_ARN: wechatSecret.secretArn,
      PII_KMS_KEY_ID: piiKey.keyId,
      PII_BLIND_INDEX_SECRET_ARN: piiIndexSecret.secretArn,
      TICKET_SIGNING_KEY_ARN: ticketKeySecret.secretArn,
      CORS_ORIGINS: config.corsOrigins.join(','),
    };
    const runtime = nodeRuntime(config.lambdaRuntime);
    const fns = {} as Record<FunctionName, DomainFunction>;
    for (const domain of FUNCTIONS) {
      const f = new DomainFunction(this, `${pascal(domain)}Fn`, {
        domain,
        runtime,
        environment: commonEnv,
        logRetention,
        removalPolicy,
        ...FUNCTION_SIZING[domain],
      });
      this.table.grantReadWriteData(f.fn);
      jwtSecret.grantRead(f.fn);
      if (NEEDS_WECHAT.has(domain)) wechatSecret.grantRead(f.fn);
      piiIndexSecret.grantRead(f.fn);
      if (NEEDS_TICKET_KEY.has(domain)) ticketKeySecret.grantRead(f.fn);
      // Envelope encryption: a data key per value (GenerateDataKey), unwrap it on read
      // (Decrypt). Named actions instead of grantEncryptDecrypt's ReEncrypt*/GenerateDataKey*.
      piiKey.grant(f.fn, 'kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt');
      Validations.of(f.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.table)}.Arn>/index/*]`,
        reason:
          'grantReadWriteData adds <table>/index/* so the function can Query the GSIs of its own table; ' +
          'the table is the single table of this stack and the index names are fixed (GSI1..GSI3).',
      });
      fns[domain] = f;
    }
    this.functions = fns;

    // ---- HTTP API ----------------------------------------------------------------
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (fn: FunctionName) => {
      let i = integrations.get(fn);
      if (!i) {
        i = new HttpLambdaIntegration(`${pascal(fn)}Integration`, fns[fn].fn, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
          // One invoke permission per function for the whole API instead of one per
          // route, which keeps each function's resource policy small.
          scopePermissionToRoute: false,
        });
        integrations.set(fn, i);
      }
      return i;
    };

    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `yizhan-${config.stage}`,
      description: `Yizhan ${config.stage} API`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: config.corsOrigins,
        allowHeaders: CORS_ALLOW_HEADERS,
        allowMethods: [apigw.CorsHttpMethod.ANY],
        exposeHeaders: CORS_EXPOSE_HEADERS,
        maxAge: Duration.minutes(10),
      },
      // Unknown routes go to auth, which answers 404 problem+json.
      defaultIntegration: integrationFor('auth'),
    });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    const stage = new apigw.HttpStage(this, 'ApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTimeEpoch',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationStatus: '$context.integration.status',
            integrationError: '$context.integration.error',
            errorMessage: '$context.error.message',
          }),
        ),
      },
    });

    const routes = (props.routes ?? listRoutes()).filter((r) => !r.localOnly);
    for (const r of routes) {
      const method = apigw.HttpMethod[r.method as keyof typeof apigw.HttpMethod];
      if (!method) throw new Error(`route ${r.routeKey}: unsupported method ${r.method}`);
      if (!fns[r.fn]) throw new Error(`route ${r.routeKey}: unknown function ${r.fn}`);
      new apigw.HttpRoute(this.api, `Route${routeConstructId(r.routeKey)}`, {
        httpApi: this.api,
        routeKey: apigw.HttpRouteKey.with(r.path, method),
        integration: integrationFor(r.fn),
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization is enforced in every handler by the shared auth guard (HS256 bearer JWT verified with the ' +
        'key in Secrets Manager, role checks per route). API Gateway JWT authorizers need an OIDC issuer with JWKS, ' +
        'which our own HS256 tokens do not have; public routes (health, WeChat login, payment notify) take no token.',
    });

    // ---- schedule ----------------------------------------------------------------
    // An EventBridge rule rather than EventBridge Scheduler: rules exist in every
    // partition including aws-cn.
    new events.Rule(this, 'JobsSchedule', {
      description: 'Yizhan jobs: release expired holds, settle',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(fns.jobs.fn, {
          retryAttempts: 1,
          // A late sweep is useless: the next one is a minute away.
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });

    // ---- outputs -----------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'WechatSecretArn', {
      value: wechatSecret.secretArn,
      description: 'Secrets Manager secret to fill with the WeChat keys (docs/deploy.md)',
    });
  }

  private logicalIdOf(c: dynamodb.Table): string {
    return this.resolve((c.node.defaultChild as dynamodb.CfnTable).logicalId) as string;
  }
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `GET /v1/orders/{orderId}` -> `GETv1ordersorderId` (stable, readable construct id). */
function routeConstructId(routeKey: string): string {
  return routeKey.replace(/[^A-Za-z0-9]/g, '');
}
