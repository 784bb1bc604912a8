import { useCallback, useEffect, useState, type DependencyList } from 'react'
import { errorText } from './action'

/**
 * Loads a page's data on mount (and whenever `deps` change) with the loading / error states
 * every page shows; `reload` retries, `setData` applies a fresher copy (e.g. after paying).
 * `missing` short-circuits with an error when a required page parameter is absent.
 */
export function useLoader<T>(fetch: () => Promise<T>, deps: DependencyList, missing?: string | false) {
  const [data, setData] = useState<T | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const reload = useCallback(async () => {
    if (missing) {
      setError(missing)
      setLoading(false)
      return
    }
    setError(null)
    try {
      setData(await fetch())
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, deps)
  useEffect(() => {
    void reload()
  }, [reload])
  return { data, setData, loading, error, reload }
}
