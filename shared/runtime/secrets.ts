/**
 * Secrets: in AWS from Secrets Manager (ARN in an env var, fetched once per container and
 * cached); in the local stage from env vars the local runner sets.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const cache = new Map<string, Promise<string>>();
let client: SecretsManagerClient | undefined;

/** The value of env var `name`, else of the secret whose ARN is in `${name}_ARN`. */
export function secretValue(name: string): Promise<string> {
  const direct = process.env[name];
  if (direct) return Promise.resolve(direct);
  const arn = process.env[`${name}_ARN`];
  if (!arn) return Promise.reject(new Error(`secret ${name} is not configured (set ${name} or ${name}_ARN)`));
  let p = cache.get(arn);
  if (!p) {
    // Loaded on first use (cold start stays light; the local stage never needs it).
    p = import('@aws-sdk/client-secrets-manager').then(async (m) => {
      client ??= new m.SecretsManagerClient({});
      const r = await client.send(new m.GetSecretValueCommand({ SecretId: arn }));
      if (!r.SecretString) throw new Error(`secret ${name} is empty`);
      return r.SecretString;
    });
    p.catch(() => cache.delete(arn));
    cache.set(arn, p);
  }
  return p;
}

/** A JSON secret's field (e.g. WECHAT secret {appId, appSecret, ...}). */
export async function secretJson<T = Record<string, string>>(name: string): Promise<T> {
  return JSON.parse(await secretValue(name)) as T;
}
