import { describe, expect, it } from 'vitest';
import {
  ageOn,
  idCheckChar,
  isValidChinesePassport,
  isValidIdNumber,
  isValidMobile,
  isValidPassport,
  normalisePhone,
  parseIdNumber,
} from '../../shared/domain/idnumber';

const TODAY = '2026-11-24';

/** Build a valid ID from its first 17 digits. */
const withCheck = (first17: string) => first17 + idCheckChar(first17);

describe('idCheckChar (GB 11643-1999 MOD 11-2)', () => {
  it('matches the published example 11010519491231002X', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
  });
  it('computes a digit check char', () => {
    // weighted sum of 11010119900307451 is 206; 206 mod 11 = 8 -> '10X98765432'[8] = '4'
    expect(idCheckChar('11010119900307451')).toBe('4');
  });
  it('rejects input that is not 17 digits', () => {
    expect(() => idCheckChar('1234')).toThrow(RangeError);
  });
});

describe('parseIdNumber', () => {
  it('accepts a valid number and extracts birth date, gender and region', () => {
    expect(parseIdNumber('110101199003074514', TODAY)).toEqual({
      valid: true,
      idNumber: '110101199003074514',
      birthDate: '1990-03-07',
      gender: 'M',
      regionCode: '110101',
    });
  });

  it('reads gender from the 17th digit (even = F) and normalises a lower-case x', () => {
    const r = parseIdNumber('11010519491231002x', TODAY);
    expect(r).toMatchObject({ valid: true, idNumber: '11010519491231002X', gender: 'F', birthDate: '1949-12-31' });
  });

  it('ignores whitespace', () => {
    expect(parseIdNumber(' 110101 19900307 4514 ', TODAY).valid).toBe(true);
  });

  it.each([
    ['too short', '11010119900307451'],
    ['too long', '1101011990030745140'],
    ['letter inside', '11010119900307A514'],
    ['X not last', 'X10101199003074514'],
    ['empty', ''],
  ])('format: %s', (_label, s) => {
    expect(parseIdNumber(s, TODAY)).toEqual({ valid: false, reason: 'format' });
  });

  it('rejects a first digit 0 and an unknown province prefix', () => {
    expect(parseIdNumber(withCheck('01010119900307451'), TODAY)).toEqual({ valid: false, reason: 'region' });
    expect(parseIdNumber(withCheck('19010119900307451'), TODAY)).toEqual({ valid: false, reason: 'region' });
    expect(parseIdNumber(withCheck('91010119900307451'), TODAY)).toEqual({ valid: false, reason: 'region' });
  });

  it('accepts every mainland province prefix and HK/Macao/Taiwan prefixes', () => {
    for (const p of ['11', '31', '44', '65', '71', '81', '82', '83']) {
      expect(parseIdNumber(withCheck(`${p}010119900307451`), TODAY).valid).toBe(true);
    }
  });

  it('rejects impossible and future birth dates', () => {
    expect(parseIdNumber(withCheck('11010119900230451'), TODAY)).toEqual({ valid: false, reason: 'birth_date' }); // 30 Feb
    expect(parseIdNumber(withCheck('11010119901301451'), TODAY)).toEqual({ valid: false, reason: 'birth_date' }); // month 13
    expect(parseIdNumber(withCheck('11010118991231451'), TODAY)).toEqual({ valid: false, reason: 'birth_date' }); // < 1900
    expect(parseIdNumber(withCheck('11010120261125451'), TODAY)).toEqual({ valid: false, reason: 'birth_date' }); // tomorrow
  });

  it('accepts a birth date of today and 29 Feb in a leap year', () => {
    expect(parseIdNumber(withCheck('11010120261124451'), TODAY).valid).toBe(true);
    expect(parseIdNumber(withCheck('11010120000229451'), TODAY).valid).toBe(true);
    expect(parseIdNumber(withCheck('11010119000229451'), TODAY).valid).toBe(false); // 1900 is not leap
  });

  it('rejects a wrong check character', () => {
    expect(parseIdNumber('110101199003071234', TODAY)).toEqual({ valid: false, reason: 'checksum' });
    expect(parseIdNumber('110101199003074515', TODAY)).toEqual({ valid: false, reason: 'checksum' });
  });

  it('defaults today to the current Shanghai date (a past birth date passes)', () => {
    expect(isValidIdNumber('110101199003074514')).toBe(true);
  });

  it('is safe on non-string input', () => {
    expect(parseIdNumber(undefined as unknown as string, TODAY)).toEqual({ valid: false, reason: 'format' });
  });
});

describe('ageOn', () => {
  it('counts completed years', () => {
    expect(ageOn('1990-03-07', '2026-03-06')).toBe(35);
    expect(ageOn('1990-03-07', '2026-03-07')).toBe(36);
    expect(ageOn('1990-03-07', '20260308')).toBe(36);
  });
  it('a 29 February birthday ages on 1 March in common years', () => {
    expect(ageOn('2012-02-29', '2026-02-28')).toBe(13);
    expect(ageOn('2012-02-29', '2026-03-01')).toBe(14);
    expect(ageOn('2012-02-29', '2028-02-29')).toBe(16);
  });
  it('rejects malformed dates', () => {
    expect(() => ageOn('1990-02-30', '2026-01-01')).toThrow(RangeError);
    expect(() => ageOn('1990-03-07', 'tomorrow')).toThrow(RangeError);
  });
});

describe('passports', () => {
  it.each(['E12345678', 'e12345678', 'EA1234567', 'G12345678', ' E1234 5678 '])('Chinese passport %s', (p) => {
    expect(isValidChinesePassport(p)).toBe(true);
    expect(isValidPassport(p)).toBe(true);
  });
  it.each(['E1234567', 'E123456789', 'EI1234567', 'EO1234567', 'P12345678'])('not a Chinese passport: %s', (p) => {
    expect(isValidChinesePassport(p)).toBe(false);
  });
  it('accepts generic foreign numbers of 5-20 letters/digits with a digit', () => {
    expect(isValidPassport('X1234567')).toBe(true); // e.g. foreign passport
    expect(isValidPassport('AB123')).toBe(true);
    expect(isValidPassport('12345678901234567890')).toBe(true);
  });
  it('rejects too short, too long, punctuation and letters-only', () => {
    expect(isValidPassport('A123')).toBe(false);
    expect(isValidPassport('123456789012345678901')).toBe(false);
    expect(isValidPassport('E1234-5678')).toBe(false);
    expect(isValidPassport('ABCDEFG')).toBe(false);
    expect(isValidPassport(42 as unknown as string)).toBe(false);
  });
});

describe('phones', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['+86-138-1234-5678', '13812345678'],
    ['008619912345678', '19912345678'],
    ['8613812345678', '13812345678'],
    [' 138 1234 5678 ', '13812345678'],
  ])('normalises %s', (input, out) => {
    expect(normalisePhone(input)).toBe(out);
    expect(isValidMobile(input)).toBe(true);
  });
  it.each(['12812345678', '1381234567', '138123456789', '+1 138 1234 5678', '010-12345678', 'abc'])('rejects %s', (s) => {
    expect(normalisePhone(s)).toBeNull();
    expect(isValidMobile(s)).toBe(false);
  });
});
