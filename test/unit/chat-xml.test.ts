import { describe, expect, it } from 'vitest';
import { cdata, parseWechatXml, textReplyXml, XmlError } from '../../functions/chat/xml';
import { signatureMatches, timestampFresh, wechatSignature } from '../../functions/chat/signature';
import { createHash } from 'node:crypto';

const msg = `<xml>
  <ToUserName><![CDATA[gh_123]]></ToUserName>
  <FromUserName><![CDATA[oUser_1]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[余票 北京 上海 明天]]></Content>
  <MsgId>1234567890123456</MsgId>
</xml>`;

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof XmlError ? e.code : `other:${(e as Error).message}`;
  }
  return 'parsed';
};

describe('parseWechatXml', () => {
  it('reads the flat fields of a WeChat text message', () => {
    expect(parseWechatXml(msg)).toEqual({
      ToUserName: 'gh_123',
      FromUserName: 'oUser_1',
      CreateTime: '1348831860',
      MsgType: 'text',
      Content: '余票 北京 上海 明天',
      MsgId: '1234567890123456',
    });
  });

  it('accepts a declaration, comments, predefined entities, character references and split CDATA', () => {
    const x = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi --><xml><A>a &amp; b &lt;c&gt; &#20013;&#x6587;</A><B><![CDATA[x]]]]><![CDATA[>y]]></B><C/><D></D></xml>\n`;
    expect(parseWechatXml(x)).toEqual({ A: 'a & b <c> 中文', B: 'x]]>y', C: '', D: '' });
  });

  it('skips nested elements (menu events) and keeps the first of repeated fields', () => {
    const x = '<xml><Event><![CDATA[scancode_push]]></Event><ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo><Event>again</Event></xml>';
    expect(parseWechatXml(x)).toEqual({ Event: 'scancode_push' });
  });

  it('refuses DTDs and entity declarations (XXE, billion laughs) whatever their case', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>';
    expect(code(() => parseWechatXml(xxe))).toBe('xml_dtd_not_allowed');
    expect(code(() => parseWechatXml('<!doctype xml><xml></xml>'))).toBe('xml_dtd_not_allowed');
    expect(code(() => parseWechatXml('<xml><!ENTITY a "b"></xml>'))).toBe('xml_dtd_not_allowed');
    // Undeclared entities are not expanded either.
    expect(code(() => parseWechatXml('<xml><Content>&xxe;</Content></xml>'))).toBe('invalid_xml');
  });

  it('lets a user type markup-looking text inside CDATA', () => {
    expect(parseWechatXml('<xml><Content><![CDATA[<!DOCTYPE x> & <b>]]></Content></xml>')).toEqual({ Content: '<!DOCTYPE x> & <b>' });
  });

  it.each([
    ['empty', ''],
    ['not xml', 'hello'],
    ['json', '{"a":1}'],
    ['wrong root', '<root><A>1</A></root>'],
    ['unclosed root', '<xml><A>1</A>'],
    ['mismatched tag', '<xml><A>1</B></xml>'],
    ['unterminated cdata', '<xml><A><![CDATA[abc</A></xml>'],
    ['bare ampersand', '<xml><A>a & b</A></xml>'],
    ['text in root', '<xml>text<A>1</A></xml>'],
    ['trailing content', '<xml></xml><xml></xml>'],
    ['bad char ref', '<xml><A>&#0;</A></xml>'],
    ['too deep', '<xml><A><B><C><D><E>1</E></D></C></B></A></xml>'],
    ['bad name', '<xml><1A>1</1A></xml>'],
  ])('rejects malformed input: %s', (_n, x) => {
    expect(code(() => parseWechatXml(x))).toBe('invalid_xml');
  });
});

describe('replies', () => {
  it('CDATA never closes early and drops characters XML cannot carry', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    expect(cdata('a\u0000\u0007b\n')).toBe('<![CDATA[ab\n]]>');
  });

  it('a reply parses back to what was meant, even with hostile content', () => {
    const content = '</Content></xml><xml><!DOCTYPE x>]]>]]]>&amp;';
    const xml = textReplyXml({ toUser: 'oUser_1', fromUser: 'gh_123', createTime: 1700000000, content });
    expect(parseWechatXml(xml)).toEqual({ ToUserName: 'oUser_1', FromUserName: 'gh_123', CreateTime: '1700000000', MsgType: 'text', Content: content });
  });
});

describe('signature', () => {
  it('is the SHA-1 of the sorted, concatenated token, timestamp and nonce', () => {
    const expected = createHash('sha1').update(['1409304348', 'tok', 'xxxxxx'].sort().join('')).digest('hex');
    expect(wechatSignature('tok', '1409304348', 'xxxxxx')).toBe(expected);
    expect(signatureMatches('tok', { signature: expected, timestamp: '1409304348', nonce: 'xxxxxx' })).toBe(true);
    expect(signatureMatches('tok', { signature: expected.toUpperCase(), timestamp: '1409304348', nonce: 'xxxxxx' })).toBe(true);
    expect(signatureMatches('other', { signature: expected, timestamp: '1409304348', nonce: 'xxxxxx' })).toBe(false);
    expect(signatureMatches('tok', { signature: 'abc', timestamp: '1409304348', nonce: 'xxxxxx' })).toBe(false);
  });

  it('accepts timestamps within five minutes only', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const t = Math.floor(now.getTime() / 1000);
    expect(timestampFresh(String(t - 299), now)).toBe(true);
    expect(timestampFresh(String(t + 299), now)).toBe(true);
    expect(timestampFresh(String(t - 301), now)).toBe(false);
    expect(timestampFresh('999999999999', now)).toBe(false);
  });
});
