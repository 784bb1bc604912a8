import Taro, { useRouter } from '@tarojs/taro'

type Params = Record<string, string | number | boolean | undefined>

export function go(page: string, params: Params = {}) {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')
  void Taro.navigateTo({ url: `/pages/${page}/index${q ? `?${q}` : ''}` })
}

export function redirect(page: string, params: Params = {}) {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')
  void Taro.redirectTo({ url: `/pages/${page}/index${q ? `?${q}` : ''}` })
}

/** Top-level pages (首页, 订单, 我的): replace the stack. */
export function tab(page: string) {
  void Taro.reLaunch({ url: `/pages/${page}/index` })
}

function decode(v: string): string {
  try {
    return decodeURIComponent(v)
  } catch {
    return v
  }
}

/** Page query parameters, decoded the same way on weapp (raw) and H5. */
export function useParams(): Record<string, string> {
  const { params } = useRouter()
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(params ?? {})) if (typeof v === 'string' && k !== '$taroTimestamp' && k !== 'stamp') out[k] = decode(v)
  return out
}
