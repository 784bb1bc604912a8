import path from 'node:path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'
import devConfig from './dev'
import prodConfig from './prod'

/**
 * One config for both targets:
 *   taro build --type weapp  -> dist/weapp  (open in WeChat DevTools, project.config.json)
 *   taro build --type h5     -> dist/h5     (served at / by the local server, hash router)
 *
 * API_BASE is injected with defineConstants (JSON-stringified), never as a TARO_APP_*
 * variable: a variable set only in the shell is left as `process.env...` in the H5
 * bundle and blanks the page. Default '' = same origin as the H5 build.
 */
const target = process.env.TARO_ENV || 'h5'
const apiBase = process.env.YIZHAN_API_BASE ?? ''
if (target !== 'h5' && !apiBase) {
  // a mini-program has no origin of its own: requests need an absolute https URL
  // on a domain registered in the WeChat console
  console.warn('[yizhan] YIZHAN_API_BASE is empty: the weapp build will call relative URLs, which only work in H5.')
}

/**
 * npm may nest @tarojs/plugin-framework-react under miniapp/node_modules (its optional
 * peer `vite ^4` clashes with vitest's vite at the root), where @tarojs/taro-h5 at the
 * root cannot see it ("resolve '@tarojs/plugin-framework-react/dist/runtime'").
 * Point webpack at wherever npm put it, so the build does not depend on hoisting.
 */
const frameworkReactDir = path.dirname(require.resolve('@tarojs/plugin-framework-react/package.json'))

export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'yizhan-miniapp',
    date: '2026-11-24',
    // 375 wide design: 16px in the styles is 16 CSS px on a 375-pt phone
    // (pxtransform turns it into 32rpx for weapp and rem for H5).
    designWidth: 375,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${target}`,
    plugins: [],
    defineConstants: {
      API_BASE: JSON.stringify(apiBase),
    },
    alias: {
      '@': path.resolve(__dirname, '..', 'src'),
      '@tarojs/plugin-framework-react': frameworkReactDir,
    },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: true },
    mini: {
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      // React 18 + Taro runtime is ~300 KiB minified; warn only past 512 KiB.
      webpackChain(chain) {
        chain.performance.maxEntrypointSize(512 * 1024).maxAssetSize(512 * 1024)
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  }
  if (process.env.NODE_ENV === 'development') {
    return merge({}, baseConfig, devConfig)
  }
  return merge({}, baseConfig, prodConfig)
})
