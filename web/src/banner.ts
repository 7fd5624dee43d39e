/**
 * The message banner above the charts: what went wrong (a worker error, a refused setting,
 * ignored URL keys), in words, until the user acts. Nothing on the page clears it by itself:
 * only Dismiss, or the user changing a setting / pressing Run (main.ts calls clearBanner then).
 */
import { $ } from './dom.ts';

export type BannerKind = 'error' | 'warning' | 'info';

export interface BannerAction {
  label: string;
  run: () => void;
}

export interface BannerMessage {
  kind: BannerKind;
  title: string;
  /** one paragraph per line */
  lines?: string[];
  actions?: BannerAction[];
}

let current: BannerMessage | null = null;

export function showBanner(msg: BannerMessage): void {
  current = msg;
  const el = $('#banner');
  el.dataset.kind = msg.kind;
  $('#banner-title').textContent = msg.title;
  $('#banner-detail').replaceChildren(
    ...(msg.lines ?? []).map((t) => {
      const p = document.createElement('p');
      p.textContent = t;
      return p;
    }),
  );
  const acts = $('#banner-actions');
  acts.replaceChildren(
    ...(msg.actions ?? []).map((a) => {
      const b = document.createElement('button');
      b.className = 'ghost small';
      b.textContent = a.label;
      b.addEventListener('click', () => {
        clearBanner();
        a.run();
      });
      return b;
    }),
  );
  el.hidden = false;
}

export function clearBanner(): void {
  current = null;
  $('#banner').hidden = true;
}

/** The banner's message, or null (for the automation hooks). */
export function bannerMessage(): BannerMessage | null {
  return current;
}

export function bindBanner(): void {
  $('#banner-close').addEventListener('click', clearBanner);
}
