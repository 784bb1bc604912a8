export const FEATURE_TEXT: Record<string, string> = {
  ev_charger: '充电桩',
  covered: '有顶棚',
  underground: '地下',
  outdoor: '露天',
  accessible: '无障碍',
  camera: '监控',
  guarded: '有人看管',
  wide: '宽车位',
  height_limit: '限高',
}

export function normalisePlate(p: string): string {
  return p.replace(/[\s.·]/g, '').toUpperCase()
}

export const DAY_TEXT = ['', '一', '二', '三', '四', '五', '六', '日']

export function windowsText(ws: { days: number[]; start: string; end: string }[]): string {
  return ws
    .map((w) => {
      const days = [...w.days].sort((a, b) => a - b)
      const d = days.length === 7 ? '每天' : `周${days.map((x) => DAY_TEXT[x]).join('')}`
      return `${d} ${w.start}–${w.end}`
    })
    .join('；')
}
