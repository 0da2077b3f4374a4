import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { defineConfig, type Plugin } from 'vite'
import uni from '@dcloudio/vite-plugin-uni'

const require = createRequire(import.meta.url)

/**
 * uni-app's framework CSS preloads page-head shadow images from DCloud's CDN (a `body::after`
 * animation fires 3 s after load). The app must make no request outside its own origin, and we
 * don't use navigation-bar shadows, so drop those URLs from the emitted CSS/WXSS.
 */
function noCdnAssets(): Plugin {
  const cdnUrl = /url\(\s*['"]?https?:\/\/cdn\.dcloud\.net\.cn\/[^)'"]*['"]?\s*\)/g
  const cdnFontFace = /@font-face\s*\{[^}]*https?:\/\/at\.alicdn\.com[^}]*\}/g
  return {
    name: 'yanyue:no-cdn-assets',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'asset' && /\.(css|wxss)$/.test(file.fileName) && typeof file.source === 'string') {
          // wd-icon's stylesheet also reaches the bundle through a sass @import the transform below never
          // sees: drop that copy's CDN @font-face (the local one from localIconFont stays).
          file.source = file.source.replace(cdnUrl, 'none').replace(cdnFontFace, '')
        }
      }
    },
  }
}

/**
 * wot-design-uni's icon font comes from at.alicdn.com on mp-weixin (wxss can't load a font file from the
 * package). Inline the copy the package ships instead, so icons render offline and nothing leaves our origin.
 */
function localIconFont(): Plugin {
  const cdnSrc = /src:\s*url\('https:\/\/at\.alicdn\.com[^;]*;/
  return {
    name: 'yanyue:local-icon-font',
    enforce: 'pre',
    transform(code, id) {
      if (!/wot-design-uni\/components\/wd-icon\/index\.scss/.test(id)) return null
      // H5 loads the file next to the stylesheet (the CSP allows fonts from our origin only).
      if (process.env.UNI_PLATFORM !== 'mp-weixin') {
        return { code: code.replace(cdnSrc, "src: url('./wd-icons.ttf') format('truetype');"), map: null }
      }
      const ttf = readFileSync(require.resolve('wot-design-uni/components/wd-icon/wd-icons.ttf')).toString('base64')
      return { code: code.replace(cdnSrc, `src: url('data:font/truetype;charset=utf-8;base64,${ttf}') format('truetype');`), map: null }
    },
  }
}

export default defineConfig({
  plugins: [localIconFont(), uni(), noCdnAssets()],
  server: {
    // `npm run dev:h5` talks to the API on the same origin, like the production H5 served under /h5/.
    proxy: {
      '/api': { target: 'http://127.0.0.1:8000', changeOrigin: true },
    },
  },
})
