/**
 * A deliberately small XML reader for WeChat pushes and a writer for passive replies.
 *
 * WeChat sends `<xml>` with flat child elements whose text is plain or CDATA. We read
 * exactly that: no DTD, no entity declarations (any `<!DOCTYPE`/`<!ENTITY` is refused,
 * so XXE and entity bombs are impossible), no external anything. Only the five
 * predefined entities and numeric character references are decoded. Nested elements
 * (menu events' ScanCodeInfo, SendPicsInfo...) are skipped, not interpreted.
 */

export class XmlError extends Error {
  constructor(
    readonly code: 'invalid_xml' | 'xml_dtd_not_allowed',
    message: string,
  ) {
    super(message);
    this.name = 'XmlError';
  }
}

const MAX_DEPTH = 4;
const MAX_FIELDS = 200;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;
// Characters XML 1.0 allows (minus the astral check, which JS strings handle as surrogate pairs).
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(s: string): string {
  return s.replace(/&(?:(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]{1,8});)?/g, (_m, ref: string | undefined) => {
    if (ref === undefined) throw new XmlError('invalid_xml', 'A bare & in text.');
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isInteger(code) || code < 1 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError('invalid_xml', 'Bad character reference.');
      return String.fromCodePoint(code);
    }
    const v = PREDEFINED[ref];
    if (v === undefined) throw new XmlError('invalid_xml', `Undefined entity &${ref};.`);
    return v;
  });
}

/**
 * Parses a WeChat message: returns the root `<xml>` element's direct children as
 * name → text. Throws XmlError for anything that is not well-formed in this subset.
 */
export function parseWechatXml(input: string): Record<string, string> {
  // Declarations and entity definitions are refused outright, wherever they appear.
  // (CDATA text is data, not markup: a user may well type "<!DOCTYPE" into the chat.)
  if (/<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.test(input.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''))) {
    throw new XmlError('xml_dtd_not_allowed', 'DTDs and entity declarations are not accepted.');
  }
  const s = input.replace(/^\uFEFF/, '');
  let i = 0;
  const n = s.length;
  const skipWs = () => {
    while (i < n && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++;
  };
  const skipMisc = () => {
    for (;;) {
      skipWs();
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i + 4);
        if (end < 0) throw new XmlError('invalid_xml', 'Unterminated comment.');
        i = end + 3;
      } else if (s.startsWith('<?', i)) {
        const end = s.indexOf('?>', i + 2);
        if (end < 0) throw new XmlError('invalid_xml', 'Unterminated processing instruction.');
        i = end + 2;
      } else return;
    }
  };

  /** Reads `<name attrs>` or `<name/>` at i; returns the name and whether it self-closes. */
  const readStartTag = (): { name: string; selfClosing: boolean } => {
    if (s[i] !== '<') throw new XmlError('invalid_xml', 'Expected an element.');
    const end = s.indexOf('>', i);
    if (end < 0) throw new XmlError('invalid_xml', 'Unterminated tag.');
    let inner = s.slice(i + 1, end);
    i = end + 1;
    const selfClosing = inner.endsWith('/');
    if (selfClosing) inner = inner.slice(0, -1);
    const m = /^([^\s/>]+)(\s[\s\S]*)?$/.exec(inner);
    if (!m || !NAME_RE.test(m[1])) throw new XmlError('invalid_xml', 'Bad element name.');
    const attrs = (m[2] ?? '').trim();
    // Attributes are not used by WeChat; accept well-formed ones and ignore them.
    if (attrs && !/^([A-Za-z_][\w.\-:]*\s*=\s*("[^"<]*"|'[^'<]*')\s*)*$/.test(attrs)) throw new XmlError('invalid_xml', 'Bad attributes.');
    return { name: m[1], selfClosing };
  };

  /** Reads the content of element `name` (after its start tag) up to and including its end tag. */
  const readContent = (name: string, depth: number): { text: string; hasChildren: boolean } => {
    if (depth > MAX_DEPTH) throw new XmlError('invalid_xml', 'Elements nest too deeply.');
    let text = '';
    let hasChildren = false;
    for (;;) {
      if (i >= n) throw new XmlError('invalid_xml', `Unterminated element <${name}>.`);
      if (s.startsWith('<![CDATA[', i)) {
        const end = s.indexOf(']]>', i + 9);
        if (end < 0) throw new XmlError('invalid_xml', 'Unterminated CDATA section.');
        text += s.slice(i + 9, end);
        i = end + 3;
      } else if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i + 4);
        if (end < 0) throw new XmlError('invalid_xml', 'Unterminated comment.');
        i = end + 3;
      } else if (s.startsWith('</', i)) {
        const end = s.indexOf('>', i);
        if (end < 0 || s.slice(i + 2, end).trim() !== name) throw new XmlError('invalid_xml', `Mismatched end tag for <${name}>.`);
        i = end + 1;
        return { text, hasChildren };
      } else if (s[i] === '<') {
        if (s[i + 1] === '!' || s[i + 1] === '?') throw new XmlError('invalid_xml', 'Unexpected markup.');
        const child = readStartTag();
        hasChildren = true;
        if (!child.selfClosing) readContent(child.name, depth + 1);
      } else {
        const next = s.indexOf('<', i);
        const end = next < 0 ? n : next;
        const raw = s.slice(i, end);
        if (raw.includes(']]>')) throw new XmlError('invalid_xml', "']]>' in text.");
        text += decodeText(raw);
        i = end;
      }
    }
  };

  skipMisc();
  const root = readStartTag();
  if (root.name !== 'xml') throw new XmlError('invalid_xml', 'The root element must be <xml>.');
  const out: Record<string, string> = {};
  if (!root.selfClosing) {
    let fields = 0;
    for (;;) {
      // Whitespace between children.
      const before = i;
      skipWs();
      if (i >= n) throw new XmlError('invalid_xml', 'Unterminated <xml>.');
      if (s.startsWith('</', i)) {
        const end = s.indexOf('>', i);
        if (end < 0 || s.slice(i + 2, end).trim() !== 'xml') throw new XmlError('invalid_xml', 'Mismatched end tag for <xml>.');
        i = end + 1;
        break;
      }
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i + 4);
        if (end < 0) throw new XmlError('invalid_xml', 'Unterminated comment.');
        i = end + 3;
        continue;
      }
      if (s[i] !== '<' || s[i + 1] === '!' || s[i + 1] === '?') {
        i = before;
        throw new XmlError('invalid_xml', 'Only elements may appear inside <xml>.');
      }
      const child = readStartTag();
      if (++fields > MAX_FIELDS) throw new XmlError('invalid_xml', 'Too many elements.');
      const c = child.selfClosing ? { text: '', hasChildren: false } : readContent(child.name, 2);
      if (!c.hasChildren && !(child.name in out)) out[child.name] = c.text;
    }
  }
  skipMisc();
  if (i !== n) throw new XmlError('invalid_xml', 'Content after the root element.');
  return out;
}

/** Text safe inside CDATA: invalid XML characters dropped, `]]>` split across two sections. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(INVALID_XML_CHARS, '').replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** A passive text reply (被动回复文本消息). */
export function textReplyXml(p: { toUser: string; fromUser: string; createTime: number; content: string }): string {
  return (
    '<xml>' +
    `<ToUserName>${cdata(p.toUser)}</ToUserName>` +
    `<FromUserName>${cdata(p.fromUser)}</FromUserName>` +
    `<CreateTime>${Math.floor(p.createTime)}</CreateTime>` +
    `<MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(p.content)}</Content>` +
    '</xml>'
  );
}
