/**
 * The Official Account message server on DynamoDB Local: WeChat signatures (GET verification
 * and pushes), malformed/XXE/oversized bodies, one processing per MsgId (retries in sequence
 * and in parallel), signature reuse, subscribe/unsubscribe, and binding an account by code.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { call, expectProblem, tokenFor } from '../support/api';
import { db } from '../../shared/db/client';
import { wechatSignature } from '../../functions/chat/signature';
import { cdata, parseWechatXml } from '../../functions/chat/xml';

const TOKEN = process.env.WECHAT_OA_TOKEN!;
const OA = 'gh_yizhan_test';
let seq = 0;
const nextMsgId = () => String(7_000_000_000_000_000 + Date.now() * 10 + (seq++ % 10)) + String(seq);

function signed(opts: { ts?: number; nonce?: string; token?: string; extra?: string } = {}) {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? randomBytes(6).toString('hex');
  const sig = wechatSignature(opts.token ?? TOKEN, ts, nonce);
  return `signature=${sig}&timestamp=${ts}&nonce=${nonce}${opts.extra ?? ''}`;
}

function textXml(from: string, content: string, msgId = nextMsgId(), createTime = Math.floor(Date.now() / 1000)) {
  return `<xml><ToUserName>${cdata(OA)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId></xml>`;
}

function eventXml(from: string, event: string, createTime = Math.floor(Date.now() / 1000)) {
  return `<xml><ToUserName>${cdata(OA)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata(event)}</Event></xml>`;
}

const post = (xml: string, query = signed()) => call('POST', `/v1/chat/wechat?${query}`, { rawBody: xml, headers: { 'content-type': 'text/xml' } });

/** The reply's fields, after checking it is a passive text reply to `to`. */
function reply(res: { status: number; text: string; headers: Record<string, string> }, to: string) {
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toContain('application/xml');
  const f = parseWechatXml(res.text);
  expect(f).toMatchObject({ ToUserName: to, FromUserName: OA, MsgType: 'text' });
  expect(Number(f.CreateTime)).toBeGreaterThan(1_600_000_000);
  return f.Content;
}

async function items(prefix: string) {
  const out: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    // Test-only inspection of the whole table.
    const r = await db().doc.send(new ScanCommand({ TableName: db().tableName, FilterExpression: 'begins_with(PK, :p)', ExpressionAttributeValues: { ':p': prefix }, ExclusiveStartKey: start }));
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

describe('GET /v1/chat/wechat (server verification)', () => {
  it('echoes echostr for a valid signature, 403 otherwise', async () => {
    const ok = await call('GET', `/v1/chat/wechat?${signed()}&echostr=5837397520911591375`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toContain('text/plain');
    expect(ok.text).toBe('5837397520911591375');

    expectProblem(await call('GET', `/v1/chat/wechat?${signed({ token: 'wrong-token' })}&echostr=1`), 403, 'invalid_signature');
    const stale = Math.floor(Date.now() / 1000) - 3600;
    expectProblem(await call('GET', `/v1/chat/wechat?${signed({ ts: stale })}&echostr=1`), 403, 'stale_timestamp');
    expectProblem(await call('GET', `/v1/chat/wechat?${signed()}`), 400, 'validation_failed');
    expectProblem(await call('GET', '/v1/chat/wechat?echostr=1'), 400, 'validation_failed');
  });
});

describe('POST /v1/chat/wechat: protocol', () => {
  it('answers help to unknown text, swapping To/From, as a passive text reply', async () => {
    const content = reply(await post(textXml('oProto_help', '你好呀')), 'oProto_help');
    expect(content).toContain('余票 北京 上海 明天');
    expect(content).toContain('帮助');
    expect(reply(await post(textXml('oProto_help', '帮助')), 'oProto_help')).toBe(content);
  });

  it('bad signature or stale timestamp: 403 and nothing processed or written', async () => {
    const before = (await items('OA')).length;
    expectProblem(await post(textXml('oProto_sig', '绑定'), signed({ token: 'not-the-token' })), 403, 'invalid_signature');
    expectProblem(await post(textXml('oProto_sig', '绑定'), signed({ ts: Math.floor(Date.now() / 1000) - 301 })), 403, 'stale_timestamp');
    expectProblem(await call('POST', `/v1/chat/wechat?signature=${'0'.repeat(40)}&timestamp=1&nonce=x`, { rawBody: textXml('oProto_sig', '绑定') }), 403, 'invalid_signature');
    expect((await items('OA')).length).toBe(before);
  });

  it('malformed XML, XXE, missing fields, oversized bodies: 4xx problems, never a crash, nothing written', async () => {
    const before = (await items('OA')).length;
    expectProblem(await post('<xml><ToUserName>a</ToUserName>'), 400, 'invalid_xml');
    expectProblem(await post('not xml at all'), 400, 'invalid_xml');
    expectProblem(await post('{"ToUserName":"x"}'), 400, 'invalid_xml');
    expectProblem(await post(''), 400, 'invalid_xml');
    const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>${OA}</ToUserName><FromUserName>oProto_x</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>`;
    const x = await post(xxe);
    expectProblem(x, 400, 'xml_dtd_not_allowed');
    expect(x.text).not.toContain('root:');
    const bomb = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>`;
    expectProblem(await post(bomb), 400, 'xml_dtd_not_allowed');
    expectProblem(await post(`<xml><FromUserName>oProto_x</FromUserName><MsgType>text</MsgType></xml>`), 400, 'invalid_message');
    expectProblem(await post(textXml('bad openid!', 'hi')), 400, 'invalid_message');
    const big = textXml('oProto_x', '票'.repeat(22_000)); // > 64 KB of UTF-8
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    expectProblem(await post(big), 413, 'payload_too_large');
    expectProblem(await post(textXml('oProto_x', 'a'.repeat(300 * 1024))), 413, 'payload_too_large');
    expectProblem(await post(textXml('oProto_x', 'hi'), `${signed()}&encrypt_type=aes&msg_signature=abc`), 400, 'unsupported_encryption');
    expectProblem(await post(textXml('oProto_x', 'hi'), `${signed()}&openid=someone_else`), 400, 'openid_mismatch');
    expect((await items('OA')).length).toBe(before);
  });

  it('a user typing markup is just text', async () => {
    const content = reply(await post(textXml('oProto_markup', '<!DOCTYPE x>]]> & <b>')), 'oProto_markup');
    expect(content).toContain('一站出行助手');
  });

  it('unknown and non-text message types get a safe reply', async () => {
    const mk = (type: string, extra = '') =>
      `<xml><ToUserName>${cdata(OA)}</ToUserName><FromUserName>${cdata('oProto_types')}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata(type)}</MsgType>${extra}<MsgId>${nextMsgId()}</MsgId></xml>`;
    expect(reply(await post(mk('hologram')), 'oProto_types')).toContain('一站出行助手');
    expect(reply(await post(mk('image', '<PicUrl><![CDATA[http://x/y.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId>')), 'oProto_types')).toContain('暂时只能看懂文字和位置');
    expectProblem(await post(mk('Not-A-Type')), 400, 'invalid_message');
    // Events with nothing to say: success (no reply).
    const loc = await post(eventXml('oProto_types', 'LOCATION'));
    expect(loc.status).toBe(200);
    expect(loc.text).toBe('success');
  });
});

describe('one processing per MsgId', () => {
  it('retries in sequence get the same reply; the binding code is issued once', async () => {
    const openid = 'oReplay_seq';
    const msgId = nextMsgId();
    const xml = textXml(openid, '绑定', msgId);
    const first = await post(xml);
    const code = /绑定码：(\d{6})/.exec(reply(first, openid))![1];
    // WeChat's retries (new nonce each, and the very same query string).
    const q = signed();
    const again = [await post(xml), await post(xml), await post(xml, q), await post(xml, q)];
    for (const r of again) expect(r.text).toBe(first.text);
    expect((await items(`OAMSG#${msgId}`)).length).toBe(1);
    const codes = (await items('OABIND#')).filter((i) => i.openid === openid);
    expect(codes.map((c) => c.PK)).toEqual([`OABIND#${code}`]);
  });

  it('parallel deliveries of one MsgId: one code, one record, every answer the reply or success', async () => {
    const openid = 'oReplay_par';
    const msgId = nextMsgId();
    const xml = textXml(openid, '绑定', msgId);
    const res = await Promise.all(Array.from({ length: 8 }, () => post(xml)));
    for (const r of res) expect(r.status).toBe(200);
    const xmls = res.filter((r) => r.text !== 'success');
    expect(xmls.length).toBeGreaterThanOrEqual(1);
    expect(new Set(xmls.map((r) => r.text)).size).toBe(1);
    expect((await items(`OAMSG#${msgId}`)).length).toBe(1);
    const codes = (await items('OABIND#')).filter((i) => i.openid === openid);
    expect(codes).toHaveLength(1);
    expect(reply(xmls[0], openid)).toContain(codes[0].PK.slice('OABIND#'.length));
    // A later retry gets the stored reply.
    expect((await post(xml)).text).toBe(xmls[0].text);
  });

  it('a signature captured from one message cannot carry another', async () => {
    const q = signed();
    reply(await post(textXml('oReplay_sig', '帮助'), q), 'oReplay_sig');
    expectProblem(await post(textXml('oReplay_sig', '订单'), q), 403, 'signature_reused');
  });

  it('events are deduplicated by sender, CreateTime and event', async () => {
    const openid = 'oReplay_evt';
    const xml = eventXml(openid, 'subscribe', 1_900_000_000);
    const a = await post(xml);
    const b = await post(xml);
    expect(reply(a, openid)).toContain('欢迎关注一站');
    expect(b.text).toBe(a.text);
    expect((await items(`OAMSG#EVT#${openid}#`)).length).toBe(1);
  });
});

describe('subscribe, unsubscribe and binding', () => {
  it('binds by one-time code; orders need the binding; unsubscribe keeps it but mutes', async () => {
    const openid = 'oBind_1';
    const user = await tokenFor('chat-bind-user');
    expect(reply(await post(eventXml(openid, 'subscribe')), openid)).toContain('欢迎关注一站');
    expect(reply(await post(textXml(openid, '订单')), openid)).toContain('还没有关联一站账号');

    const old = /绑定码：(\d{6})/.exec(reply(await post(textXml(openid, '绑定')), openid))![1];
    const code = /绑定码：(\d{6})/.exec(reply(await post(textXml(openid, '绑定')), openid))![1];
    expect(code).not.toBe(old);
    // The newer code replaces the older one.
    expectProblem(await call('POST', '/v1/chat/bind', { token: user, body: { code: old } }), 404, 'bind_code_not_found');
    expectProblem(await call('POST', '/v1/chat/bind', { body: { code } }), 401, 'unauthorized');
    expectProblem(await call('POST', '/v1/chat/bind', { token: user, body: { code: 'abc' } }), 400, 'validation_failed');
    const ok = await call('POST', '/v1/chat/bind', { token: user, body: { code }, idempotencyKey: 'bind-key-0001' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ bound: true, boundAt: expect.stringMatching(/\+08:00$/) });
    // Same Idempotency-Key: same answer; without it the used code is gone.
    const same = await call('POST', '/v1/chat/bind', { token: user, body: { code }, idempotencyKey: 'bind-key-0001' });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(ok.body);
    expectProblem(await call('POST', '/v1/chat/bind', { token: user, body: { code } }), 404, 'bind_code_not_found');
    expect((await items(`OABIND#${code}`)).length).toBe(0);

    expect(reply(await post(textXml(openid, '订单')), openid)).toContain('还没有订单');

    const gone = await post(eventXml(openid, 'unsubscribe'));
    expect(gone.status).toBe(200);
    expect(gone.text).toBe('success');
    const [u] = await items(`OAUSER#${openid}`);
    expect(u).toMatchObject({ userId: 'chat-bind-user', muted: true });
    expect(reply(await post(eventXml(openid, 'subscribe', Math.floor(Date.now() / 1000) + 1)), openid)).toContain('欢迎回来');
    const [back] = await items(`OAUSER#${openid}`);
    expect(back).toMatchObject({ userId: 'chat-bind-user', muted: false });

    expect(reply(await post(textXml(openid, '解绑')), openid)).toContain('已解除');
    expect(reply(await post(textXml(openid, '订单')), openid)).toContain('还没有关联一站账号');
  });

  it('two users racing for one code: exactly one binds', async () => {
    const openid = 'oBind_race';
    const code = /绑定码：(\d{6})/.exec(reply(await post(textXml(openid, '绑定')), openid))![1];
    const tokens = await Promise.all(Array.from({ length: 6 }, (_, i) => tokenFor(`chat-race-${i}`)));
    const res = await Promise.all(tokens.map((token) => call('POST', '/v1/chat/bind', { token, body: { code } })));
    const won = res.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const r of res.filter((x) => x.status !== 200)) expect([404, 409]).toContain(r.status);
    const [u] = await items(`OAUSER#${openid}`);
    expect(u.userId).toMatch(/^chat-race-\d$/);
    expect(u.pendingCode).toBeUndefined();
  });

  it('guessing codes is limited to 10 attempts per 10 minutes', async () => {
    const user = await tokenFor('chat-guesser');
    const codes = Array.from({ length: 10 }, (_, i) => String(100000 + i * 7919));
    for (const code of codes) {
      const r = await call('POST', '/v1/chat/bind', { token: user, body: { code } });
      expect([404]).toContain(r.status);
    }
    expectProblem(await call('POST', '/v1/chat/bind', { token: user, body: { code: '999999' } }), 429, 'too_many_attempts');
  });
});
