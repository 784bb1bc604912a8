export default definePageConfig({ navigationBarTitleText: '共享单车' })
