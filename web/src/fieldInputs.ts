/**
 * The setting fields ([data-key] inputs and selects). A typed number applies only when it is
 * complete: on Enter or when the field loses focus, never per keystroke (typing "1e9" must not
 * run width = 1 on the way). While typing, and after an invalid Enter/blur, the field says
 * inline what it needs and nothing runs; Escape puts back the current value.
 */
import { $$ } from './dom.ts';
import { fieldProblem, parseField, type ExplorerState, type ModelKind } from './state.ts';

type Key = keyof ExplorerState;
type FieldEl = HTMLInputElement | HTMLSelectElement;

/** Keys whose field holds text that is not (yet) a valid value: syncFields leaves them alone. */
const drafts = new Set<Key>();

function messageEl(el: FieldEl): HTMLElement {
  const label = el.closest('label') ?? el.parentElement!;
  let msg = label.querySelector<HTMLElement>('.field-msg');
  if (!msg) {
    msg = document.createElement('small');
    msg.className = 'field-msg';
    msg.setAttribute('role', 'alert');
    msg.hidden = true;
    label.append(msg);
  }
  return msg;
}

function showProblem(el: FieldEl, key: Key, problem: string | null): void {
  el.classList.toggle('bad', problem !== null);
  el.setAttribute('aria-invalid', String(problem !== null));
  const msg = messageEl(el);
  msg.textContent = problem ? `${key}: ${problem}` : '';
  msg.hidden = problem === null;
  if (problem === null) drafts.delete(key);
  else drafts.add(key);
}

/** The problem with a field's current text (a number input's unparsable text reads as ""). */
function problemOf(el: FieldEl, key: Key, model: ModelKind): string | null {
  if (el instanceof HTMLInputElement && el.validity.badInput) return `not a number: needs ${fieldProblem(key, '', model)!.replace(/^empty: needs /, '')}`;
  return fieldProblem(key, el.value, model);
}

/**
 * Wire the fields: `apply(key, value)` is called with a valid, complete value (on change of a
 * select; on Enter or blur of an input).
 */
export function bindFieldInputs(current: () => ExplorerState, apply: (patch: Partial<ExplorerState>) => void): void {
  for (const el of $$<FieldEl>('[data-key]')) {
    const key = el.dataset.key as Key;
    const commit = () => {
      const problem = problemOf(el, key, current().model);
      showProblem(el, key, problem);
      if (problem !== null) return;
      const v = parseField(key, el.value, current().model)!;
      if (v !== current()[key]) apply({ [key]: v } as Partial<ExplorerState>);
    };
    if (el instanceof HTMLSelectElement) {
      el.addEventListener('change', commit);
      continue;
    }
    // while typing: say what is wrong, run nothing
    el.addEventListener('input', () => {
      const problem = problemOf(el, key, current().model);
      showProblem(el, key, problem);
      // a complete valid value that differs is pending until Enter / blur
      if (problem === null && String(current()[key]) !== el.value) drafts.add(key);
    });
    el.addEventListener('change', commit);
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') commit();
      else if (e.key === 'Escape') {
        el.value = String(current()[key]);
        showProblem(el, key, null);
      }
    });
  }
}

/** Show the state in the fields, except in a field being edited or holding an invalid draft. */
export function syncFields(s: ExplorerState): void {
  for (const el of $$<FieldEl>('[data-key]')) {
    const key = el.dataset.key as Key;
    if (drafts.has(key) || (document.activeElement === el && el instanceof HTMLInputElement)) continue;
    el.value = String(s[key]);
    showProblem(el, key, null);
  }
}

/** Fields with text that is not applied (for the automation hooks). */
export function fieldDrafts(): Key[] {
  return [...drafts];
}
