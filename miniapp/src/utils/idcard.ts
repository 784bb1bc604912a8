/**
 * On-the-spot checks before a request is sent (the API re-checks everything):
 * GB 11643-1999 resident ID numbers (18 characters, ISO 7064 MOD 11-2 check digit,
 * a real date of birth) and a loose passport shape.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'
const PROVINCES = new Set('11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83'.split(' '))

export function idCardCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

/** null when valid, otherwise the Chinese reason. */
export function idCardError(raw: string): string | null {
  const v = raw.trim().toUpperCase()
  if (!v) return '请输入证件号码'
  if (!/^\d{17}[\dX]$/.test(v)) return '身份证号应为 18 位（最后一位可为 X）'
  if (!PROVINCES.has(v.slice(0, 2))) return '身份证号的地区码无效'
  const y = Number(v.slice(6, 10))
  const m = Number(v.slice(10, 12))
  const d = Number(v.slice(12, 14))
  const birth = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth.getTime() > Date.now()) return '身份证号中的出生日期无效'
  if (idCardCheckChar(v) !== v[17]) return '身份证号校验位不正确，请核对'
  return null
}

export function passportError(raw: string): string | null {
  const v = raw.trim().toUpperCase()
  if (!v) return '请输入证件号码'
  if (!/^[A-Z0-9]{5,17}$/.test(v)) return '护照号码应为 5–17 位字母或数字'
  return null
}

export function phoneError(raw: string): string | null {
  return /^1[3-9]\d{9}$/.test(raw.trim()) ? null : '请输入 11 位手机号码'
}
