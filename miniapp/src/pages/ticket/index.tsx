import { View, Text } from '@tarojs/components'
import { getTicket, getTrip } from '../../api/ticketing'
import type { Ticket } from '../../api/types'
import StateView from '../../components/StateView'
import QrCode from '../../components/QrCode'
import { dateTime, hhmm, MODE_TEXT, yuan } from '../../utils/format'
import { useLoader } from '../../utils/useLoader'
import { useParams } from '../../utils/nav'

const STATUS: Record<string, string> = { HELD: '待支付', AWAITING_PAYMENT: '待支付', ISSUED: '已出票', USED: '已检票', VOID: '已作废' }

export default function TicketPage() {
  const { id } = useParams()
  const { data, loading, error, reload: load } = useLoader(
    async () => {
      const ticket = await getTicket(id!)
      // the ticket carries the class code; the trip (public) has its name
      const trip = await getTrip(ticket.tripId).catch(() => null)
      return { ticket, className: trip?.classes.find((c) => c.code === ticket.classCode)?.name ?? null }
    },
    [id],
    !id && '缺少车票',
  )
  const t: Ticket | null = data?.ticket ?? null
  const className = data?.className ?? null

  return (
    <View className='page'>
      <StateView loading={loading} error={error} onRetry={load}>
        {t && (
          <View className='card eticket' data-testid='eticket'>
            <View className='row-between'>
              <Text className='title'>
                {t.mode ? MODE_TEXT[t.mode] : ''} {t.number ?? ''}
              </Text>
              <Text className={t.status === 'ISSUED' ? 'text-ok' : 'text-muted'}>{STATUS[t.status] ?? t.status}</Text>
            </View>
            <View className='row-between eticket-route'>
              <View className='trip-time'>
                <Text className='trip-clock'>{hhmm(t.depart)}</Text>
                <Text className='trip-station'>{t.fromName ?? t.from}</Text>
              </View>
              <Text className='text-muted'>→</Text>
              <View className='trip-time trip-time-right'>
                <Text className='trip-clock'>{hhmm(t.arrive)}</Text>
                <Text className='trip-station'>{t.toName ?? t.to}</Text>
              </View>
            </View>
            <Text className='text-muted small block'>{t.depart ? `${dateTime(t.depart)} 开` : ''}</Text>
            <View className='eticket-grid'>
              <View>
                <Text className='text-muted small block'>乘客</Text>
                <Text className='strong' data-testid='eticket-passenger'>
                  {t.passengerName}
                </Text>
              </View>
              <View>
                <Text className='text-muted small block'>座位</Text>
                <Text className='strong' data-testid='eticket-seat'>
                  {className ?? t.classCode} {t.seat}
                </Text>
              </View>
              <View>
                <Text className='text-muted small block'>票价</Text>
                <Text className='strong'>{yuan(t.priceFen)}</Text>
              </View>
            </View>
            <View className='eticket-qr'>
              {t.qr && t.status !== 'VOID' ? (
                <View className='col-center' data-testid='eticket-qr'>
                  <QrCode text={t.qr} size={240} />
                  <Text className='text-muted small'>进站检票时出示此二维码{t.changed ? '（已改签）' : ''}</Text>
                </View>
              ) : (
                <Text className='text-muted'>{t.status === 'VOID' ? '车票已作废' : '支付完成后显示乘车二维码'}</Text>
              )}
            </View>
          </View>
        )}
      </StateView>
    </View>
  )
}
