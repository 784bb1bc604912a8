/**
 * WeChat mini-program login (code2Session). In AWS the real HTTPS endpoint with appid and
 * secret from Secrets Manager; in the local stage a dev provider maps a code to a stable
 * openid so the whole login path runs without WeChat.
 */
import { createHash } from 'node:crypto';
import { secretJson } from '../../shared/runtime/secrets';
import { config } from '../../shared/runtime/config';
import { ApiError, serviceUnavailable, unauthorized } from '../../shared/http/errors';

export interface Code2Session {
  (code: string): Promise<{ openid: string; unionid?: string }>;
}

export const devCode2Session: Code2Session = async (code) => ({
  openid: 'dev-' + createHash('sha256').update(code).digest('hex').slice(0, 24),
});

const CODE2SESSION_URL = 'https://api.weixin.qq.com/sns/jscode2session';

export function wechatCode2Session(fetchImpl: typeof fetch = fetch): Code2Session {
  return async (code) => {
    const { appId, appSecret } = await secretJson<{ appId: string; appSecret: string }>('WECHAT_SECRET');
    const url = `${CODE2SESSION_URL}?appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(appSecret)}&js_code=${encodeURIComponent(code)}&grant_type=authorization_code`;
    let res: Response;
    try {
      res = await fetchImpl(url, { signal: AbortSignal.timeout(3000) });
    } catch {
      throw serviceUnavailable('wechat_unavailable', 'WeChat login is unavailable; retry shortly.');
    }
    const data = (await res.json().catch(() => ({}))) as { openid?: string; unionid?: string; errcode?: number; errmsg?: string };
    if (data.errcode === 40029 || data.errcode === 40163 || data.errcode === 40226) {
      throw unauthorized('The login code is invalid or already used.');
    }
    if (data.errcode === 45011) throw new ApiError(429, 'throttled', 'Too many login attempts; retry shortly.');
    if (!res.ok || !data.openid) throw serviceUnavailable('wechat_unavailable', 'WeChat login failed; retry shortly.');
    return { openid: data.openid, ...(data.unionid ? { unionid: data.unionid } : {}) };
  };
}

export function code2SessionProvider(): Code2Session {
  return config.isLocal && !process.env.WECHAT_SECRET_ARN ? devCode2Session : wechatCode2Session();
}
