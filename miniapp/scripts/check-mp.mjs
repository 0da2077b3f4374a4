#!/usr/bin/env node
/**
 * Checks a mp-weixin build without WeChat DevTools:
 *  1. compiles every WXML with WeChat's own `wcc` and every WXSS with `wcsc`
 *     (Linux binaries shipped in the npm package miniprogram-compiler) and fails on any error;
 *  2. checks app.json: every page has its .js/.json/.wxml, tabBar icons exist and are ≤ 40 KB;
 *  3. prints the main package size and fails if it reaches our 1 MB budget.
 *
 * Usage: node scripts/check-mp.mjs [dist/build/mp-weixin]
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const root = path.resolve(process.argv[2] || 'dist/build/mp-weixin')
const MAIN_PACKAGE_LIMIT = 1024 * 1024 // our budget (WeChat allows 2 MB): booking and artist pages live in subpackages
const TAB_ICON_LIMIT = 40 * 1024

const problems = []

if (!existsSync(path.join(root, 'app.json'))) {
  console.error(`check:mp: ${root}/app.json not found — run \`npm run build:mp-weixin\` first`)
  process.exit(1)
}

function walk(dir, rel = '') {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relPath = rel ? `${rel}/${entry.name}` : entry.name
    if (entry.isDirectory()) out.push(...walk(path.join(dir, entry.name), relPath))
    else out.push(relPath)
  }
  return out
}

function compilerBinary(name) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`miniprogram-compiler only ships ${name} for linux-x64 here (got ${process.platform}-${process.arch})`)
  }
  const pkgDir = path.dirname(require.resolve('miniprogram-compiler/package.json'))
  const bin = path.join(pkgDir, 'bin', 'linux', name)
  // npm unpacks the binaries without the executable bit.
  chmodSync(bin, 0o755)
  return bin
}

function readJson(relPath) {
  try {
    return JSON.parse(readFileSync(path.join(root, relPath), 'utf8'))
  } catch {
    return null
  }
}

function run(bin, args) {
  const res = spawnSync(bin, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 })
  if (res.error) throw res.error
  return { ok: res.status === 0, stdout: res.stdout.toString(), stderr: res.stderr.toString().trim() }
}

const files = walk(root)
const wxml = files.filter((f) => f.endsWith('.wxml')).sort()
const wxss = files.filter((f) => f.endsWith('.wxss')).sort()
const wxs = files.filter((f) => f.endsWith('.wxs')).sort()

// ---- WXML (same argument layout as miniprogram-compiler's wcc wrapper: component table first) ----
const wcc = compilerBinary('wcc')
function wccArgs(list) {
  const table = []
  let count = 0
  for (const f of list) {
    const json = readJson(f.replace(/\.wxml$/, '.json'))
    if (json?.usingComponents) {
      const names = Object.keys(json.usingComponents)
      table.push(f, names.length, ...names)
      count++
    }
  }
  return ['-d', '-cc', [count, ...table].join(' '), ...list, ...wxs, '-gn', '$gwx']
}

const wxmlAll = run(wcc, wccArgs(wxml))
if (wxmlAll.ok) {
  try {
    // The output is the JS the runtime evaluates; make sure it at least parses.
    new Function('global', `${wxmlAll.stdout};return $gwx`)
  } catch (e) {
    problems.push(`wcc produced invalid JS: ${e.message}`)
  }
} else {
  // Recompile one by one to name the broken files.
  for (const f of wxml) {
    const one = run(wcc, wccArgs([f]))
    if (!one.ok) problems.push(`WXML ${f}: ${one.stderr || 'wcc failed'}`)
  }
  if (!problems.length) problems.push(`WXML (all files together): ${wxmlAll.stderr || 'wcc failed'}`)
}

// ---- WXSS (page/component styles first, then the rest, as the wcsc wrapper does) ----
const wcsc = compilerBinary('wcsc')
function wcscArgs(list) {
  const withJson = list.filter((f) => existsSync(path.join(root, f.replace(/\.wxss$/, '.json'))))
  const plain = list.filter((f) => !withJson.includes(f))
  return ['-db', '-pc', String(withJson.length), ...withJson, ...plain]
}

const wxssAll = run(wcsc, wcscArgs(wxss))
if (!wxssAll.ok) {
  for (const f of wxss) {
    const one = run(wcsc, wcscArgs([f]))
    if (!one.ok) problems.push(`WXSS ${f}: ${one.stderr.replace(/\s*error file count: \d+\s*$/, '') || 'wcsc failed'}`)
  }
  if (!problems.some((p) => p.startsWith('WXSS'))) problems.push(`WXSS (all files together): ${wxssAll.stderr}`)
}

// ---- app.json sanity ----
const app = readJson('app.json') || {}
const subRoots = [...(app.subPackages || []), ...(app.subpackages || [])].map((s) => s.root.replace(/\/?$/, '/'))
const allPages = [
  ...(app.pages || []),
  ...[...(app.subPackages || []), ...(app.subpackages || [])].flatMap((s) => s.pages.map((p) => `${s.root.replace(/\/?$/, '/')}${p}`)),
]
// A page's .wxss is optional in WeChat (uni emits none for a page without styles); .json is always emitted.
for (const page of allPages) {
  for (const ext of ['.js', '.json', '.wxml']) {
    if (!existsSync(path.join(root, page + ext))) problems.push(`page ${page}: missing ${page}${ext}`)
  }
}
const tabs = app.tabBar?.list || []
if (tabs.length && (tabs.length < 2 || tabs.length > 5)) problems.push(`tabBar must have 2–5 items, has ${tabs.length}`)
for (const tab of tabs) {
  for (const icon of [tab.iconPath, tab.selectedIconPath].filter(Boolean)) {
    const p = path.join(root, icon)
    if (!existsSync(p)) problems.push(`tabBar icon missing: ${icon}`)
    else if (statSync(p).size > TAB_ICON_LIMIT) problems.push(`tabBar icon ${icon} is ${(statSync(p).size / 1024).toFixed(1)} KB (limit 40 KB)`)
  }
}

// ---- size ----
let mainBytes = 0
const sizes = []
for (const f of files) {
  if (subRoots.some((r) => f.startsWith(r))) continue
  const size = statSync(path.join(root, f)).size
  mainBytes += size
  sizes.push([size, f])
}
sizes.sort((a, b) => b[0] - a[0])

console.log(`check:mp: compiled ${wxml.length} WXML with wcc, ${wxss.length} WXSS with wcsc (${root})`)
console.log(`check:mp: ${allPages.length} pages, ${tabs.length} tabBar items`)
console.log(`check:mp: main package ${(mainBytes / 1024).toFixed(1)} KB (budget 1024 KB, WeChat limit 2048 KB); subpackages:`)
for (const r of subRoots) {
  const bytes = files.filter((f) => f.startsWith(r)).reduce((n, f) => n + statSync(path.join(root, f)).size, 0)
  console.log(`  ${(bytes / 1024).toFixed(1).padStart(8)} KB  ${r}`)
}
console.log(`check:mp: largest main-package files:`)
for (const [size, f] of sizes.slice(0, 5)) console.log(`  ${(size / 1024).toFixed(1).padStart(8)} KB  ${f}`)
if (mainBytes >= MAIN_PACKAGE_LIMIT) problems.push(`main package is ${(mainBytes / 1024).toFixed(1)} KB, must stay under 1024 KB`)

if (problems.length) {
  console.error(`check:mp: FAILED (${problems.length} problem${problems.length > 1 ? 's' : ''})`)
  for (const p of problems) console.error(`  - ${p}`)
  process.exit(1)
}
console.log('check:mp: OK')
