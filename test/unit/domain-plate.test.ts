import { describe, expect, it } from 'vitest';
import { isValidPlate, normalisePlate, plateKind } from '../../shared/domain/plate';

describe('normalisePlate', () => {
  it('upper-cases and strips separators', () => {
    expect(normalisePlate('京a·123 45')).toBe('京A12345');
    expect(normalisePlate(' 沪B-C1234 ')).toBe('沪BC1234');
    expect(normalisePlate('粤B・D12345')).toBe('粤BD12345');
  });
  it('turns full-width letters and digits into ASCII', () => {
    expect(normalisePlate('京Ａ１２３４５')).toBe('京A12345');
  });
});

describe('plateKind / isValidPlate', () => {
  it.each([
    ['京A12345', 'ordinary'],
    ['沪B1C2D3', 'ordinary'],
    ['京a·123 45', 'ordinary'],
    ['粤BD12345', 'new_energy'],
    ['粤BDF1234', 'new_energy'],
    ['粤BF12345', 'new_energy'],
    ['京A12345D', 'new_energy'],
    ['京A12345F', 'new_energy'],
    ['京A0001警', 'police'],
    ['京A1234学', 'coach'],
    ['京A1234挂', 'trailer'],
    ['粤Z1234港', 'hong_kong'],
    ['粤Z1234澳', 'macao'],
  ])('%s is %s', (plate, kind) => {
    expect(plateKind(plate)).toBe(kind);
    expect(isValidPlate(plate)).toBe(true);
  });

  it.each([
    ['unknown province', '港A12345'],
    ['I as region letter', '京I12345'],
    ['O in serial', '京A1234O'],
    ['too short', '京A1234'],
    ['too long ordinary', '京A1234567'],
    ['new energy without D/F', '粤BX12345'],
    ['new energy large with letters', '京A1234DF'],
    ['digit as region letter', '京112345'],
    ['港 plate outside 粤Z', '京A1234港'],
    ['no province', 'AB12345'],
    ['empty', ''],
  ])('rejects %s: %s', (_label, plate) => {
    expect(isValidPlate(plate)).toBe(false);
    expect(plateKind(plate)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(isValidPlate(12345 as unknown as string)).toBe(false);
  });
});
