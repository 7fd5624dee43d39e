/** The status bar: phase badge, progress bar and the row of numbers. */
import type { Phase } from '../../src/index.ts';
import { $ } from './dom.ts';

export function setBadge(phase: Phase | '', final: boolean, note: string): void {
  const b = $('#phase');
  b.textContent = phase || '–';
  b.dataset.phase = phase;
  b.dataset.final = String(final);
  $('#phase-note').textContent = note;
}

export function setStats(items: [string, string][]): void {
  const dl = $('#stats');
  dl.replaceChildren(
    ...items.map(([k, v]) => {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      div.append(dt, dd);
      return div;
    }),
  );
}

export function setProgress(frac: number): void {
  $('#progress-bar').style.width = `${Math.max(0, Math.min(1, frac)) * 100}%`;
}
