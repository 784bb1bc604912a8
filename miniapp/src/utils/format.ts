/**
 * Display helpers. Money is integer fen; times are shown in Asia/Shanghai whatever the
 * phone's time zone (China has one civil time, UTC+8, no DST).
 */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000

export function yuan(fen: number | undefined | null): string {
  const f = Math.round(fen ?? 0)
  const sign = f < 0 ? '-' : ''
  const abs = Math.abs(f)
  const y = Math.floor(abs / 100)
  const c = abs % 100
  return `${sign}¥${y}${c ? `.${String(c).padStart(2, '0').replace(/0$/, '')}` : ''}`
}

/** "12.50" -> 1250 fen; null when not a positive amount with at most 2 decimals. */
export function parseYuan(text: string): number | null {
  const t = text.trim()
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(t)) return null
  const [y, c = ''] = t.split('.')
  return Number(y) * 100 + Number(c.padEnd(2, '0'))
}

function shanghaiParts(d: Date | number | string) {
  const ms = typeof d === 'string' ? Date.parse(d) : typeof d === 'number' ? d : d.getTime()
  const s = new Date(ms + SHANGHAI_OFFSET_MS)
  return { y: s.getUTCFullYear(), m: s.getUTCMonth() + 1, d: s.getUTCDate(), hh: s.getUTCHours(), mm: s.getUTCMinutes(), ss: s.getUTCSeconds(), wd: s.getUTCDay() }
}

const p2 = (n: number) => String(n).padStart(2, '0')

export function hhmm(iso: string | undefined): string {
  if (!iso) return '--:--'
  const p = shanghaiParts(iso)
  return `${p2(p.hh)}:${p2(p.mm)}`
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六']

/** "11月25日 周三" */
export function monthDay(dateOrIso: string): string {
  const p = /^\d{4}-\d{2}-\d{2}$/.test(dateOrIso) ? shanghaiParts(`${dateOrIso}T12:00:00+08:00`) : shanghaiParts(dateOrIso)
  return `${p.m}月${p.d}日 ${WEEKDAYS[p.wd]}`
}

/** "11-25 08:00" */
export function dateTime(iso: string | undefined): string {
  if (!iso) return ''
  const p = shanghaiParts(iso)
  return `${p2(p.m)}-${p2(p.d)} ${p2(p.hh)}:${p2(p.mm)}`
}

/** Service day (YYYY-MM-DD, Asia/Shanghai) `offset` days from now. */
export function shanghaiDate(offset = 0, from: number = Date.now()): string {
  const p = shanghaiParts(from + offset * 86400000)
  return `${p.y}-${p2(p.m)}-${p2(p.d)}`
}

/** ISO 8601 with +08:00 for a Shanghai wall-clock date and minutes since midnight. */
export function shanghaiIso(date: string, minutes: number): string {
  const base = Date.parse(`${date}T00:00:00+08:00`) + minutes * 60000
  const p = shanghaiParts(base)
  return `${p.y}-${p2(p.m)}-${p2(p.d)}T${p2(p.hh)}:${p2(p.mm)}:00+08:00`
}

export function minutesOfDay(ms: number = Date.now()): number {
  const p = shanghaiParts(ms)
  return p.hh * 60 + p.mm
}

export function duration(minutes: number): string {
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (!h) return `${m}分钟`
  return m ? `${h}小时${m}分` : `${h}小时`
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h ? `${h}:${p2(m)}:${p2(s % 60)}` : `${p2(m)}:${p2(s % 60)}`
}

export const MODE_TEXT: Record<string, string> = { rail: '火车', coach: '汽车', ferry: '轮渡', air: '航班' }

export const ORDER_STATUS_TEXT: Record<string, string> = {
  PENDING_PAYMENT: '待支付',
  PAID: '已支付',
  COMPLETED: '已完成',
  CANCELLED: '已取消',
  EXPIRED: '已超时',
  REFUND_PENDING: '退款中',
  REFUNDED: '已退款',
}

export const ORDER_KIND_TEXT: Record<string, string> = { ticket: '车船票', parking: '停车', cruise: '邮轮', bike: '单车', test: '测试' }

export const CHARGE_TEXT: Record<string, string> = {
  initial: '票款',
  deposit: '定金',
  balance: '尾款',
  overstay: '超时费',
  fare_difference: '改签差价',
  ride: '骑行费',
}

/** "有票" (plenty), "12 张" (few), "无票" (none). */
export function seatsText(remaining: number): string {
  if (remaining <= 0) return '无票'
  if (remaining >= 20) return '有票'
  return `${remaining} 张`
}

export function tripStatusText(status: string, delayMinutes: number): string {
  if (status === 'cancelled') return '停运'
  if (status === 'delayed' || delayMinutes > 0) return `晚点 ${delayMinutes} 分钟`
  return '正点'
}
