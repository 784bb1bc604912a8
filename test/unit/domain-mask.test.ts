import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskName, maskPassport, maskPhone, redactPii, redactPiiInText } from '../../shared/domain/mask';

const ID = '110101199003074514';
const PHONE = '13812345678';

describe('maskIdNumber', () => {
  it('keeps the first 4 and last 4', () => {
    expect(maskIdNumber('110101199003071234')).toBe('1101**********1234');
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
  });
  it('is idempotent', () => {
    expect(maskIdNumber(maskIdNumber(ID))).toBe(maskIdNumber(ID));
  });
  it('fully stars short values', () => {
    expect(maskIdNumber('12345678')).toBe('********');
  });
});

describe('maskPassport', () => {
  it('keeps one leading letter and the last 3', () => {
    expect(maskPassport('E12345678')).toBe('E*****678');
  });
  it('keeps two leading letters when both are letters', () => {
    expect(maskPassport('EA1234567')).toBe('EA****567');
  });
  it('short values keep only the last character', () => {
    expect(maskPassport('AB123')).toBe('****3');
  });
  it('is idempotent', () => {
    expect(maskPassport(maskPassport('E12345678'))).toBe('E*****678');
  });
});

describe('maskPhone', () => {
  it('masks the middle 4 of a mainland mobile', () => {
    expect(maskPhone(PHONE)).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
  });
  it('is idempotent', () => {
    expect(maskPhone('138****5678')).toBe('138****5678');
  });
  it('masks other numbers too', () => {
    expect(maskPhone('010-12345678')).toBe('010****5678');
    expect(maskPhone('12345')).toBe('***45');
  });
});

describe('maskName', () => {
  it.each([
    ['张三丰', '张*丰'],
    ['张三', '*三'],
    ['欧阳娜娜', '欧**娜'],
    ['张', '*'],
    ['John Smith', 'J*** S****'],
    ['', ''],
  ])('%s -> %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });
  it('handles characters outside the BMP as one character', () => {
    expect(maskName('𠮷野家')).toBe('𠮷*家');
  });
});

describe('redactPiiInText', () => {
  it('masks IDs and mobiles in free text', () => {
    const out = redactPiiInText(`user id=${ID} phone:${PHONE}, again +86 138-1234-5678.`);
    expect(out).toBe('user id=1101**********4514 phone:138****5678, again 138****5678.');
  });
  it('masks an ID with a lower-case x and one glued to letters', () => {
    expect(redactPiiInText('ID11010519491231002x!')).toBe('ID1101**********002x!');
  });
  it('leaves longer digit runs alone (WeChat transaction ids, epoch ms)', () => {
    const tx = '4200001234202611241234567890';
    expect(redactPiiInText(`tx ${tx} at 1764000000000`)).toBe(`tx ${tx} at 1764000000000`);
  });
  it('leaves 11-digit numbers that are not mobiles alone', () => {
    expect(redactPiiInText('n=12812345678')).toBe('n=12812345678');
  });
});

describe('redactPii', () => {
  it('masks known keys case-insensitively and walks nested objects and arrays', () => {
    const input = {
      user: { IdNumber: ID, PHONE: PHONE, passport_number: 'E12345678', name: '张三丰' },
      passengers: [{ idCard: ID, documentNumber: 'EA1234567' }, { documentNumber: ID }],
      note: `call ${PHONE}`,
      mobile: 13812345678,
      count: 3,
      ok: true,
      none: null,
    };
    expect(redactPii(input)).toEqual({
      user: { IdNumber: '1101**********4514', PHONE: '138****5678', passport_number: 'E*****678', name: '张三丰' },
      passengers: [{ idCard: '1101**********4514', documentNumber: 'EA****567' }, { documentNumber: '1101**********4514' }],
      note: 'call 138****5678',
      mobile: '138****5678',
      count: 3,
      ok: true,
      none: null,
    });
  });

  it('masks values under a PII key even when they do not look like PII', () => {
    expect(redactPii({ phone: '010-12345678', idNumber: 'garbage-value' })).toEqual({
      phone: '010****5678',
      idNumber: 'garb*****alue',
    });
  });

  it('does not modify its input', () => {
    const input = { idNumber: ID, list: [PHONE] };
    const copy = structuredClone(input);
    redactPii(input);
    expect(input).toEqual(copy);
  });

  it('redacts Errors (message and stack) and Map/Set contents', () => {
    const err = new Error(`duplicate id ${ID}`);
    const out = redactPii({ err, m: new Map([['phone', PHONE]]), s: new Set([ID]) }) as Record<string, any>;
    expect(out.err.message).toBe('duplicate id 1101**********4514');
    expect(out.err.stack).not.toContain(ID);
    expect(out.m).toEqual({ phone: '138****5678' });
    expect(out.s).toEqual(['1101**********4514']);
  });

  it('survives cycles and keeps shared (non-cyclic) references', () => {
    const shared = { phone: PHONE };
    const a: Record<string, unknown> = { x: shared, y: shared };
    a.self = a;
    const out = redactPii(a) as Record<string, any>;
    expect(out.self).toBe('[Circular]');
    expect(out.x).toEqual({ phone: '138****5678' });
    expect(out.y).toEqual({ phone: '138****5678' });
  });

  it('replaces binary data and keeps Dates', () => {
    const d = new Date('2026-01-01T00:00:00Z');
    expect(redactPii({ b: Buffer.from(ID), d })).toEqual({ b: `[binary 18 bytes]`, d });
  });

  it('a serialised dump contains no plaintext', () => {
    const dump = JSON.stringify(redactPii({ a: [{ b: { c: `${ID} ${PHONE}` } }], idNumber: ID }));
    expect(dump).not.toContain(ID);
    expect(dump).not.toContain(PHONE);
  });
});
