import type { ReactNode } from 'react'
import { View, Text, Button } from '@tarojs/components'

interface Props {
  loading?: boolean
  error?: string | null
  empty?: boolean
  emptyText?: string
  onRetry?: () => void
  children?: ReactNode
}

/** Loading, error (with retry) and empty states; renders children otherwise. */
export default function StateView({ loading, error, empty, emptyText, onRetry, children }: Props) {
  if (loading) {
    return (
      <View className='state state-loading'>
        <Text className='text-muted'>加载中…</Text>
      </View>
    )
  }
  if (error) {
    return (
      <View className='state state-error'>
        <Text className='text-error'>{error}</Text>
        {onRetry && (
          <Button className='btn btn-plain btn-small state-retry' onClick={onRetry}>
            重试
          </Button>
        )}
      </View>
    )
  }
  if (empty) {
    return (
      <View className='state state-empty'>
        <Text className='text-muted'>{emptyText ?? '暂无内容'}</Text>
      </View>
    )
  }
  return <>{children}</>
}
