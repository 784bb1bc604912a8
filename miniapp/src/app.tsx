import type { PropsWithChildren } from 'react'
import { useLaunch } from '@tarojs/taro'
import './app.css'

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // nothing yet: login and session restore land here later
  })
  // children are the pages
  return children
}

export default App
