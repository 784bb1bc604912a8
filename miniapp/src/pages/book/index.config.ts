export default definePageConfig({ navigationBarTitleText: '选择乘客' })
