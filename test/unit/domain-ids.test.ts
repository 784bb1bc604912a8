import { describe, expect, it } from 'vitest';
import { ID_PREFIXES, idPrefixOf, idTime, isId, newId } from '../../shared/domain/ids';

describe('newId', () => {
  it('is prefix + underscore + 26-char ULID', () => {
    const id = newId('ord');
    expect(id).toMatch(/^ord_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(isId('ord', id)).toBe(true);
  });
  it('has a prefix for every kind, all distinct and three letters', () => {
    const prefixes = Object.values(ID_PREFIXES);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    expect(prefixes).toEqual(
      expect.arrayContaining(['ord', 'trp', 'tkt', 'psg', 'usr', 'spt', 'bik', 'rid', 'voy', 'bkg', 'zon', 'ntf', 'pay', 'ref', 'stn']),
    );
    for (const p of prefixes) expect(p).toMatch(/^[a-z]{3}$/);
  });
  it('sorts in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 200 }, () => newId('tkt'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('embeds a given time', () => {
    const t = Date.UTC(2026, 11, 1, 0, 30);
    const id = newId('pay', t);
    expect(idTime(id).getTime()).toBe(t);
    expect(newId('pay', t - 1) < id).toBe(true);
  });
  it('refuses unknown prefixes at runtime', () => {
    expect(() => newId('xyz' as never)).toThrow(RangeError);
  });
});

describe('isId / idPrefixOf', () => {
  const id = newId('usr');
  it('checks the prefix', () => {
    expect(isId('usr', id)).toBe(true);
    expect(isId('ord', id)).toBe(false);
    expect(idPrefixOf(id)).toBe('usr');
  });
  it.each([
    'usr_',
    'usr_01J',
    'usr_8ZZZZZZZZZZZZZZZZZZZZZZZZZ', // time overflow
    'usr_01JF3Z6W9K8D2Q4N7M5X0R1TIU', // I and U are not Crockford
    'usr_01jf3z6w9k8d2q4n7m5x0r1t2v', // lower case
    'usr-01JF3Z6W9K8D2Q4N7M5X0R1T2V',
    ' usr_01JF3Z6W9K8D2Q4N7M5X0R1T2V',
  ])('rejects %s', (s) => {
    expect(isId('usr', s)).toBe(false);
    expect(idPrefixOf(s)).toBeNull();
  });
  it('rejects non-strings and unknown prefixes', () => {
    expect(isId('usr', 42)).toBe(false);
    expect(idPrefixOf('abc_01JF3Z6W9K8D2Q4N7M5X0R1T2V')).toBeNull();
    expect(() => idTime('nope')).toThrow(RangeError);
  });
});
