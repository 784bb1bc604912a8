/**
 * One user action = one Idempotency-Key. `useAction().run(fn)`:
 *  - ignores a second tap while the first is running (no double submit; `busy` disables the button),
 *  - hands `fn` the action's key; the key is kept when the outcome is unknown (network
 *    failure, 5xx, request_in_progress), so tapping again replays the same request instead
 *    of creating a second order, and dropped after a definite answer,
 *  - shows the problem's Chinese message as a toast and resolves to undefined on failure.
 */
import Taro from '@tarojs/taro'
import { useCallback, useRef, useState } from 'react'
import { ApiProblem } from '../api/client'
import { problemMessage } from '../api/messages'

export function newIdempotencyKey(): string {
  const rnd = Math.random().toString(36).slice(2, 12).padEnd(10, '0')
  return `mp-${Date.now().toString(36)}-${rnd}`
}

export function errorText(e: unknown): string {
  if (e instanceof ApiProblem) return e.userMessage
  if (e && typeof e === 'object' && 'errMsg' in e) {
    const msg = String((e as { errMsg: unknown }).errMsg)
    if (/cancel/i.test(msg)) return '已取消'
  }
  return problemMessage('unknown')
}

function outcomeUnknown(e: unknown): boolean {
  return e instanceof ApiProblem && (e.status === 0 || e.status >= 500 || e.code === 'request_in_progress')
}

export function toast(title: string) {
  void Taro.showToast({ title, icon: 'none', duration: 2500 })
}

export function useAction() {
  const [busy, setBusy] = useState(false)
  const busyRef = useRef(false)
  const keyRef = useRef<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const run = useCallback(async <T,>(fn: (idempotencyKey: string) => Promise<T>, opts: { silent?: boolean } = {}): Promise<T | undefined> => {
    if (busyRef.current) return undefined
    busyRef.current = true
    setBusy(true)
    setError(null)
    if (!keyRef.current) keyRef.current = newIdempotencyKey()
    try {
      const r = await fn(keyRef.current)
      keyRef.current = null
      return r
    } catch (e) {
      if (!outcomeUnknown(e)) keyRef.current = null
      const text = errorText(e)
      setError(text)
      if (!opts.silent) toast(text)
      return undefined
    } finally {
      busyRef.current = false
      setBusy(false)
    }
  }, [])

  return { busy, error, run, setError }
}
