/**
 * The signed-in user: a tiny store (module state + listeners) persisted with
 * Taro.setStorageSync, and a hook for pages.
 *
 * Login: weapp uses Taro.login -> POST /v1/auth/wechat-login (silent, as mini-programs do);
 * H5 has no WeChat code, so it signs in through the local stage's POST /v1/auth/dev-login
 * with a user id typed on 我的 (default demo-passenger).
 */
import Taro from '@tarojs/taro'
import { useEffect, useState } from 'react'
import { request, ApiProblem } from '../api/client'
import type { LoginResult, User } from '../api/types'

const STORAGE_KEY = 'yizhan.session'
export const DEFAULT_DEV_USER = 'demo-passenger'

export interface Session {
  token: string
  user: User
  expiresAt?: string
}

function load(): Session | null {
  try {
    const raw = Taro.getStorageSync(STORAGE_KEY)
    if (!raw) return null
    const s = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Session
    if (!s?.token) return null
    if (s.expiresAt && Date.parse(s.expiresAt) <= Date.now()) return null
    return s
  } catch {
    return null
  }
}

let current: Session | null | undefined
const listeners = new Set<(s: Session | null) => void>()

export function getSession(): Session | null {
  if (current === undefined) current = load()
  if (current?.expiresAt && Date.parse(current.expiresAt) <= Date.now()) setSession(null)
  return current ?? null
}

export function setSession(s: Session | null) {
  current = s
  try {
    if (s) Taro.setStorageSync(STORAGE_KEY, JSON.stringify(s))
    else Taro.removeStorageSync(STORAGE_KEY)
  } catch {
    /* storage full or unavailable: the session lives in memory only */
  }
  for (const l of listeners) l(s)
}

export function useSession(): Session | null {
  const [s, set] = useState<Session | null>(() => getSession())
  useEffect(() => {
    listeners.add(set)
    set(getSession())
    return () => {
      listeners.delete(set)
    }
  }, [])
  return s
}

export const isWeapp = process.env.TARO_ENV === 'weapp'

export async function devLogin(userId: string): Promise<Session> {
  const r = await request<LoginResult>('POST', '/v1/auth/dev-login', { body: { userId } })
  const s: Session = { token: r.token, user: r.user, expiresAt: r.expiresAt }
  setSession(s)
  return s
}

export async function wechatLogin(): Promise<Session> {
  const { code } = await Taro.login()
  if (!code) throw new ApiProblem({ status: 0, code: 'wechat_login_failed' })
  const r = await request<LoginResult>('POST', '/v1/auth/wechat-login', { body: { code } })
  const s: Session = { token: r.token, user: r.user, expiresAt: r.expiresAt }
  setSession(s)
  return s
}

export function logout() {
  setSession(null)
}

/**
 * The bearer token for a call that needs one. weapp signs in silently; H5 sends the user
 * to 我的 to sign in and throws `unauthorized` so the page shows its error state.
 */
export async function requireToken(): Promise<string> {
  const s = getSession()
  if (s) return s.token
  if (isWeapp) return (await wechatLogin()).token
  void Taro.navigateTo({ url: '/pages/me/index' })
  throw new ApiProblem({ status: 401, code: 'unauthorized' })
}
