export default definePageConfig({ navigationBarTitleText: '一站出行' })
