/**
 * WeChat Official Account server signature (plain-text mode): hex SHA-1 of the
 * lexicographically sorted [token, timestamp, nonce], concatenated without separators.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { secretJson } from '../../shared/runtime/secrets';
import { serviceUnavailable } from '../../shared/http/errors';

/** How far the push's timestamp may be from our clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export function wechatSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}

export function signatureMatches(token: string, q: { signature: string; timestamp: string; nonce: string }): boolean {
  const want = Buffer.from(wechatSignature(token, q.timestamp, q.nonce), 'utf8');
  const got = Buffer.from(String(q.signature).toLowerCase(), 'utf8');
  return want.length === got.length && timingSafeEqual(want, got);
}

export function timestampFresh(timestamp: string, now: Date): boolean {
  const t = Number(timestamp);
  return Number.isSafeInteger(t) && Math.abs(now.getTime() / 1000 - t) <= MAX_CLOCK_SKEW_SECONDS;
}

/**
 * The server token: env `WECHAT_OA_TOKEN` (local stage; infra/local/env.ts sets it, default
 * `yizhan-local-token`), else the `oaToken` field of the WeChat secret (AWS). A missing or
 * placeholder token refuses every push (503) rather than accepting a guessable one.
 */
export async function oaToken(): Promise<string> {
  const direct = process.env.WECHAT_OA_TOKEN;
  let token = direct;
  if (!token) {
    try {
      token = (await secretJson<{ oaToken?: string }>('WECHAT_SECRET')).oaToken;
    } catch {
      token = undefined;
    }
  }
  if (!token || token === 'REPLACE_ME' || !/^[\x21-\x7e]{3,64}$/.test(token)) {
    throw serviceUnavailable('chat_not_configured', 'The Official Account token is not configured.');
  }
  return token;
}
