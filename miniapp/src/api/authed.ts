/**
 * `request` with the session's bearer token. A 401 clears the stored session (expired or
 * revoked token), so the next action signs in again.
 */
import { request, ApiProblem, type HttpMethod, type RequestOptions } from './client'
import { requireToken, setSession } from '../store/session'

export async function api<T>(method: HttpMethod, path: string, opts: Omit<RequestOptions, 'token'> = {}): Promise<T> {
  const token = await requireToken()
  try {
    return await request<T>(method, path, { ...opts, token })
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 401) setSession(null)
    throw e
  }
}
