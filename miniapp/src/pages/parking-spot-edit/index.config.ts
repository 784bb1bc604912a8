export default definePageConfig({ navigationBarTitleText: '发布车位' })
