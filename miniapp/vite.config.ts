import { defineConfig, type Plugin } from 'vite'
import uni from '@dcloudio/vite-plugin-uni'

/**
 * uni-app's framework CSS preloads page-head shadow images from DCloud's CDN (a `body::after`
 * animation fires 3 s after load). The app must make no request outside its own origin, and we
 * don't use navigation-bar shadows, so drop those URLs from the emitted CSS/WXSS.
 */
function noCdnAssets(): Plugin {
  const cdnUrl = /url\(\s*['"]?https?:\/\/cdn\.dcloud\.net\.cn\/[^)'"]*['"]?\s*\)/g
  return {
    name: 'yanyue:no-cdn-assets',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'asset' && /\.(css|wxss)$/.test(file.fileName) && typeof file.source === 'string') {
          file.source = file.source.replace(cdnUrl, 'none')
        }
      }
    },
  }
}

export default defineConfig({
  plugins: [uni(), noCdnAssets()],
  server: {
    // `npm run dev:h5` talks to the API on the same origin, like the production H5 served under /h5/.
    proxy: {
      '/api': { target: 'http://127.0.0.1:8000', changeOrigin: true },
    },
  },
})
