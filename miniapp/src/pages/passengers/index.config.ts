export default definePageConfig({ navigationBarTitleText: '乘客管理' })
