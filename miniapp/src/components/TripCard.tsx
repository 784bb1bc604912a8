import { View, Text } from '@tarojs/components'
import type { TripOffer } from '../api/types'
import { duration, hhmm, MODE_TEXT, seatsText, tripStatusText, yuan } from '../utils/format'

export default function TripCard({ t, onClick }: { t: TripOffer; onClick?: () => void }) {
  const cancelled = t.status === 'cancelled'
  return (
    <View className={`card trip-card${cancelled ? ' trip-cancelled' : ''}`} data-testid='trip-card' onClick={onClick}>
      <View className='row-between'>
        <View className='trip-time'>
          <Text className='trip-clock'>{hhmm(t.from.depart)}</Text>
          <Text className='trip-station'>{t.from.name}</Text>
        </View>
        <View className='trip-mid'>
          <Text className='trip-number'>
            {MODE_TEXT[t.mode]} {t.number}
          </Text>
          <View className='trip-line' />
          <Text className='text-muted small'>{duration(t.durationMinutes)}</Text>
        </View>
        <View className='trip-time trip-time-right'>
          <Text className='trip-clock'>{hhmm(t.to.arrive)}</Text>
          <Text className='trip-station'>{t.to.name}</Text>
        </View>
      </View>
      <View className='row-between trip-foot'>
        <Text className={cancelled ? 'text-error small' : t.delayMinutes > 0 ? 'text-warn small' : 'text-ok small'}>{tripStatusText(t.status, t.delayMinutes)}</Text>
        <Text className='price'>{t.classes.length ? `${yuan(Math.min(...t.classes.map((c) => c.priceFen)))}起` : ''}</Text>
      </View>
      <View className='trip-classes'>
        {t.classes.map((c) => (
          <Text key={c.code} className={`trip-class${c.remaining <= 0 ? ' text-muted' : ''}`}>
            {c.name} {seatsText(c.remaining)}
          </Text>
        ))}
      </View>
      {t.salesOpen === false && !cancelled && <Text className='text-muted small'>暂未开售或已停售</Text>}
    </View>
  )
}

