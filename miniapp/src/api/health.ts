import { request } from './client'

export interface HealthResponse {
  status: 'ok'
}

/** True when `GET /v1/health` answers `{status: 'ok'}`; false on any failure. */
export async function fetchHealth(): Promise<boolean> {
  try {
    const res = await request<HealthResponse>('GET', '/v1/health')
    return res?.status === 'ok'
  } catch {
    return false
  }
}
