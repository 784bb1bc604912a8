/**
 * The local stage's configuration: keys generated once under DATA_DIR/keys (git-ignored),
 * and the environment the handlers read (the same variables CDK sets in AWS, with local
 * values instead of Secrets Manager/KMS references).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes, generateKeyPairSync } from 'node:crypto';

function ensureFile(path: string, make: () => string) {
  if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
  return readFileSync(path, 'utf8');
}

export interface LocalEnvOptions {
  dataDir: string;
  endpoint: string;
  tableName?: string;
  port?: number;
}

export function applyLocalEnv(opts: LocalEnvOptions) {
  const keyDir = resolve(opts.dataDir, 'keys');
  mkdirSync(keyDir, { recursive: true });
  const jwt = ensureFile(join(keyDir, 'jwt.secret'), () => randomBytes(32).toString('base64url'));
  ensureFile(join(keyDir, 'ticket-ed25519.pem'), () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const rsa = () => {
    const kp = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return JSON.stringify({
      privateKeyPem: kp.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      publicKeyPem: kp.publicKey.export({ type: 'spki', format: 'pem' }),
    });
  };
  ensureFile(join(keyDir, 'wechatpay-merchant.json'), rsa);
  ensureFile(join(keyDir, 'wechatpay-platform.json'), rsa);
  const apiV3 = ensureFile(join(keyDir, 'wechatpay-apiv3.key'), () => randomBytes(16).toString('hex')); // 32 chars
  const env: Record<string, string> = {
    STAGE: 'local',
    TABLE_NAME: opts.tableName ?? 'yizhan',
    DYNAMODB_ENDPOINT: opts.endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    JWT_SECRET: jwt.trim(),
    PII_KEY_FILE: join(keyDir, 'pii-master.key'),
    TICKET_SIGNING_KEY_FILE: join(keyDir, 'ticket-ed25519.pem'),
    WECHATPAY_SANDBOX_DIR: keyDir,
    WECHATPAY_APIV3_KEY: apiV3.trim(),
    WECHAT_OA_TOKEN: process.env.WECHAT_OA_TOKEN ?? 'yizhan-local-token',
    ...(opts.port ? { PUBLIC_BASE_URL: `http://localhost:${opts.port}` } : {}),
  };
  for (const [k, v] of Object.entries(env)) {
    // Explicit settings from the caller's shell win over generated ones (except the stage wiring).
    if (['STAGE', 'TABLE_NAME', 'DYNAMODB_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].includes(k) || process.env[k] === undefined) process.env[k] = v;
  }
  return env;
}
