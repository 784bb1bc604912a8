import { useMemo } from 'react'
import { Image, View, Text } from '@tarojs/components'
import qrcode from 'qrcode-generator'

/**
 * A QR code as a GIF data URL in an <Image>: the same code path renders on H5 (an <img>)
 * and in the mini-program (image accepts base64 data URLs), no canvas needed.
 * Error correction M: the gate reads it from a phone screen.
 */
export default function QrCode({ text, size = 240 }: { text: string; size?: number }) {
  const src = useMemo(() => {
    try {
      const qr = qrcode(0, 'M')
      qr.addData(text, 'Byte')
      qr.make()
      const cell = Math.max(2, Math.floor(480 / (qr.getModuleCount() + 8)))
      return qr.createDataURL(cell, cell * 4)
    } catch {
      return ''
    }
  }, [text])
  if (!src) {
    return (
      <View className='qr-fallback'>
        <Text className='text-error'>二维码生成失败</Text>
      </View>
    )
  }
  return <Image className='qr-image' src={src} style={{ width: `${size}px`, height: `${size}px` }} mode='aspectFit' aria-label='电子票二维码' />
}
