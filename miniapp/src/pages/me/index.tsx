import { useCallback, useEffect, useState } from 'react'
import { View, Text, Button, Input } from '@tarojs/components'
import { usePullDownRefresh, stopPullDownRefresh } from '@tarojs/taro'
import { listNotifications } from '../../api/orders'
import { bindOfficialAccount } from '../../api/chat'
import type { Notification } from '../../api/types'
import StateView from '../../components/StateView'
import BottomNav from '../../components/BottomNav'
import { DEFAULT_DEV_USER, devLogin, isWeapp, logout, useSession, wechatLogin } from '../../store/session'
import { errorText, toast, useAction } from '../../utils/action'
import { dateTime } from '../../utils/format'
import { go } from '../../utils/nav'

const ROLE_TEXT: Record<string, string> = { passenger: '乘客', operator: '运营方', 'bike-operator': '单车运营', regulator: '监管', admin: '管理员' }

const LINKS = [
  { page: 'orders', label: '我的订单' },
  { page: 'passengers', label: '乘客管理' },
  { page: 'parking-reservations', label: '我的预约（停车）' },
  { page: 'parking-spots', label: '我的车位' },
  { page: 'bikes', label: '单车 · 骑行记录' },
  { page: 'cruise', label: '邮轮' },
]

function Notifications() {
  const [items, setItems] = useState<Notification[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const load = useCallback(async () => {
    setError(null)
    try {
      setItems((await listNotifications()).notifications)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setLoading(false)
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])
  usePullDownRefresh(() => void load().finally(() => stopPullDownRefresh()))
  return (
    <View className='card'>
      <Text className='section-title'>消息通知</Text>
      <StateView loading={loading} error={error} onRetry={load} empty={items.length === 0} emptyText='暂无通知'>
        {items.map((n) => (
          <View key={n.id} className='item-row' onClick={() => n.orderId && go('order', { id: n.orderId })}>
            <View className='flex1'>
              <Text className='strong block'>{n.title}</Text>
              <Text className='small block'>{n.body}</Text>
              <Text className='text-muted small'>{dateTime(n.createdAt)}</Text>
            </View>
          </View>
        ))}
      </StateView>
    </View>
  )
}

/** 绑定公众号: confirm the 6-digit code the Official Account replied to `绑定`. */
function BindOfficialAccount() {
  const [code, setCode] = useState('')
  const [done, setDone] = useState(false)
  const { busy, run } = useAction()
  const submit = async () => {
    if (!/^[0-9]{6}$/.test(code)) return toast('请输入公众号回复的 6 位数字绑定码')
    const r = await run((key) => bindOfficialAccount(code, key))
    if (r) {
      setDone(true)
      toast('绑定成功')
    }
  }
  return (
    <View className='card'>
      <Text className='section-title'>绑定公众号</Text>
      {done ? (
        <Text className='small block' data-testid='oa-bound'>已绑定：在公众号发送「订单」即可查询您的订单。</Text>
      ) : (
        <View>
          <Text className='text-muted small block'>在公众号对话中发送「绑定」，将收到的 6 位绑定码填在下面（10 分钟内有效）。</Text>
          <Input className='input' data-testid='oa-code' type='number' maxlength={6} value={code} onInput={(e) => setCode(e.detail.value)} placeholder='6 位绑定码' />
          <Button className='btn btn-primary' data-testid='oa-bind' disabled={busy} loading={busy} onClick={submit}>
            确认绑定
          </Button>
        </View>
      )}
    </View>
  )
}

export default function MePage() {
  const session = useSession()
  const [userId, setUserId] = useState(DEFAULT_DEV_USER)
  const { busy, run } = useAction()

  const login = async () => {
    if (isWeapp) {
      const s = await run(() => wechatLogin())
      if (s) toast('登录成功')
      return
    }
    const id = userId.trim()
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return toast('用户名只能包含字母、数字、下划线和连字符')
    const s = await run(() => devLogin(id))
    if (s) toast('登录成功')
  }

  return (
    <View className='page page-with-nav'>
      <View className='card me-head'>
        {session ? (
          <View>
            <Text className='title block' data-testid='me-user'>
              {session.user.id}
            </Text>
            <Text className='text-muted small'>{session.user.roles.map((r) => ROLE_TEXT[r] ?? r).join(' · ')}</Text>
            <Button className='btn btn-plain btn-small me-logout' onClick={logout}>
              退出登录
            </Button>
          </View>
        ) : (
          <View>
            <Text className='title block'>登录一站出行</Text>
            {isWeapp ? (
              <Text className='text-muted small block'>使用微信身份一键登录</Text>
            ) : (
              <View>
                <Text className='text-muted small block'>本地演示环境：输入任意用户名登录（开发登录，不会部署到线上）</Text>
                <Input className='input' data-testid='dev-user' value={userId} maxlength={64} onInput={(e) => setUserId(e.detail.value)} placeholder='用户名，如 demo-passenger' />
              </View>
            )}
            <Button className='btn btn-primary' data-testid='login-button' disabled={busy} loading={busy} onClick={login}>
              {isWeapp ? '微信登录' : '登录'}
            </Button>
          </View>
        )}
      </View>
      <View className='card'>
        {LINKS.map((l) => (
          <View key={l.page} className='link-row' onClick={() => go(l.page)}>
            <Text>{l.label}</Text>
            <Text className='text-muted'>›</Text>
          </View>
        ))}
      </View>
      {session && <BindOfficialAccount key={`oa-${session.user.id}`} />}
      {session && <Notifications key={session.user.id} />}
      <BottomNav current='me' />
    </View>
  )
}
