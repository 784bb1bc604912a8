export default definePageConfig({ navigationBarTitleText: '电子票' })
