export default definePageConfig({ navigationBarTitleText: '航次详情' })
