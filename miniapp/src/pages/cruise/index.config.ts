export default definePageConfig({ navigationBarTitleText: '邮轮' })
