/**
 * The WeChat Official Account message server (plain-text mode) and the binding route the
 * mini-program calls. Routes → use cases; see docs/chat.md.
 */
import { createHttpHandler, type Reply, type RouteContext } from '../../shared/http/handler';
import { withIdempotency } from '../../shared/http/idempotency';
import { ApiError, badRequest, forbidden } from '../../shared/http/errors';
import { logger } from '../../shared/http/logger';
import { db } from '../../shared/db/client';
import { oaToken, signatureMatches, timestampFresh } from './signature';
import { parseWechatXml, textReplyXml, XmlError } from './xml';
import { answer, type IncomingMessage } from './commands';
import { awaitReply, bindNonce, claimMessage, redeemBindCode, releaseClaim, saveReply } from './store';

export const MAX_MESSAGE_BYTES = 64 * 1024;
const XML_TYPE = 'application/xml; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
/** WeChat's "received, no reply". */
const SUCCESS: Reply = { text: 'success', contentType: TEXT_TYPE };
const BUSY_TEXT = '系统繁忙，请稍后再发一次。';
const OPENID_RE = /^[A-Za-z0-9_\-]{1,64}$/;

async function verify(ctx: RouteContext, now: Date): Promise<void> {
  const token = await oaToken();
  const q = ctx.query as { signature: string; timestamp: string; nonce: string };
  if (!signatureMatches(token, q)) throw forbidden('invalid_signature', 'The WeChat signature does not match.');
  if (!timestampFresh(q.timestamp, now)) throw forbidden('stale_timestamp', 'The signed timestamp is too far from the server clock.');
}

/** Checks the fields we rely on; returns the replay key of the message. */
function messageKey(m: Record<string, string>): string {
  const bad = (detail: string) => badRequest('invalid_message', detail);
  for (const f of ['ToUserName', 'FromUserName', 'MsgType', 'CreateTime']) if (!m[f]) throw bad(`${f} is required.`);
  if (!OPENID_RE.test(m.FromUserName) || !OPENID_RE.test(m.ToUserName)) throw bad('ToUserName/FromUserName are not WeChat ids.');
  if (!/^\d{1,12}$/.test(m.CreateTime)) throw bad('CreateTime must be epoch seconds.');
  if (!/^[a-z_]{1,32}$/.test(m.MsgType)) throw bad('MsgType is not a WeChat message type.');
  if (m.MsgType === 'event') {
    const ev = (m.Event ?? '').slice(0, 64).replace(/[^A-Za-z0-9_]/g, '_');
    return `EVT#${m.FromUserName}#${m.CreateTime}#${ev}`;
  }
  if (m.MsgId !== undefined && m.MsgId !== '') {
    if (!/^\d{1,32}$/.test(m.MsgId)) throw bad('MsgId must be digits.');
    return m.MsgId;
  }
  // Every WeChat message carries a MsgId; stay safe if one does not.
  return `NOID#${m.FromUserName}#${m.CreateTime}#${m.MsgType}`;
}

async function receive(ctx: RouteContext): Promise<Reply> {
  const now = new Date();
  await verify(ctx, now);
  const encryptType = ctx.query.encrypt_type as string | undefined;
  if (encryptType && encryptType !== 'raw') throw badRequest('unsupported_encryption', 'Only plain-text mode is supported; set the Official Account to 明文模式.');
  const raw = ctx.rawBody ?? '';
  if (Buffer.byteLength(raw, 'utf8') > MAX_MESSAGE_BYTES) throw new ApiError(413, 'payload_too_large', `A message may be at most ${MAX_MESSAGE_BYTES} bytes.`);
  if (!raw.trim()) throw badRequest('invalid_xml', 'The message body is empty.');
  let fields: Record<string, string>;
  try {
    fields = parseWechatXml(raw);
  } catch (e) {
    if (e instanceof XmlError) throw badRequest(e.code, e.message);
    throw e;
  }
  const key = messageKey(fields);
  if (ctx.query.openid !== undefined && ctx.query.openid !== fields.FromUserName) throw badRequest('openid_mismatch', 'The openid parameter does not match FromUserName.');
  const d = db();
  if (!(await bindNonce(d, ctx.query.timestamp, ctx.query.nonce, key, now))) {
    throw forbidden('signature_reused', 'This signature was already used for another message.');
  }
  const claim = await claimMessage(d, key, now);
  if (!claim.claimed) {
    const stored = claim.reply ?? (await awaitReply(d, key));
    logger.info('chat duplicate', { msgType: fields.MsgType, replied: stored !== undefined });
    return stored === undefined || stored === 'success' ? SUCCESS : { text: stored, contentType: XML_TYPE };
  }
  const msg = fields as IncomingMessage;
  const reply = (content: string) =>
    textReplyXml({ toUser: msg.FromUserName, fromUser: msg.ToUserName, createTime: Math.floor(now.getTime() / 1000), content });
  let out: string;
  try {
    const text = await answer(d, msg, now);
    out = text === null ? 'success' : reply(text);
  } catch (err) {
    // Give the message back so WeChat's retry can try again, and answer politely now.
    logger.error('chat message failed', { error: err as Error, msgType: msg.MsgType });
    await releaseClaim(d, key, claim.token).catch(() => undefined);
    return { text: reply(BUSY_TEXT), contentType: XML_TYPE };
  }
  await saveReply(d, key, claim.token, out);
  return out === 'success' ? SUCCESS : { text: out, contentType: XML_TYPE };
}

export const handler = createHttpHandler('chat', {
  'GET /v1/chat/wechat': async (ctx) => {
    await verify(ctx, new Date());
    return { text: String(ctx.query.echostr), contentType: TEXT_TYPE };
  },

  'POST /v1/chat/wechat': receive,

  'POST /v1/chat/bind': async (ctx) =>
    withIdempotency(ctx, async () => {
      const r = await redeemBindCode(db(), ctx.user.id, ctx.body.code, new Date());
      return { status: 200, body: { bound: true, boundAt: r.boundAt } };
    }),
});
