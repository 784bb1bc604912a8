export default definePageConfig({ navigationBarTitleText: '共享停车' })
