// Side-menu model: pages in `menuRoutes` order, pages of one section (meta.group) gathered under it.
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'
import { MENU_GROUPS, type MenuGroupKey } from './routes'

export interface MenuLeaf {
  type: 'item'
  path: string
  title: string
  icon?: Component
}

export interface MenuSection {
  type: 'group'
  key: MenuGroupKey
  title: string
  icon?: Component
  children: MenuLeaf[]
}

export type MenuEntry = MenuLeaf | MenuSection

export function buildMenu(routes: RouteRecordRaw[], allowed: (permission?: string) => boolean): MenuEntry[] {
  const entries: MenuEntry[] = []
  const sections = new Map<MenuGroupKey, MenuSection>()
  for (const r of routes) {
    if (r.meta?.hidden || !allowed(r.meta?.permission)) continue
    const leaf: MenuLeaf = { type: 'item', path: `/${r.path}`, title: r.meta?.title ?? '', icon: r.meta?.icon }
    const key = r.meta?.group
    if (!key) {
      entries.push(leaf)
      continue
    }
    let section = sections.get(key)
    if (!section) {
      section = { type: 'group', key, title: MENU_GROUPS[key].title, icon: MENU_GROUPS[key].icon, children: [] }
      sections.set(key, section)
      entries.push(section)
    }
    section.children.push(leaf)
  }
  return entries
}

/** Every page path of the menu, sections flattened. */
export function menuPaths(entries: MenuEntry[]): string[] {
  return entries.flatMap((e) => (e.type === 'group' ? e.children.map((c) => c.path) : [e.path]))
}
