// The validation confusion matrix of any epoch, chosen with a slider, and the accuracy per
// class it implies. New epochs of a running run extend the slider; it follows the latest
// epoch unless the user has moved it back.
import { h } from './dom.js';
import type { ConfusionEntry } from './api.js';
import { draw, confusionSpec, perClassSpec } from './charts.js';

export function confusionPanel(): { element: HTMLElement; update(entries: ConfusionEntry[]): void } {
  let entries: ConfusionEntry[] = [];
  let followLatest = true;
  const slider = h('input', { type: 'range', id: 'epoch-slider', min: 0, max: 0, step: 1, value: 0 });
  const label = h('span', { id: 'epoch-label' });
  const matrix = h('div', { class: 'chart', 'data-chart': 'confusion' });
  const perClass = h('div', { class: 'chart', 'data-chart': 'per-class' });
  const empty = h('p', { class: 'note' }, 'This run has no confusion matrices (the trainer writes confusion.jsonl for runs with validation data).');
  const body = h('div', { class: 'side-by-side' }, matrix, perClass);
  const element = h('div', {}, h('div', { class: 'toolbar' }, h('label', {}, 'epoch ', slider), label), body);

  const show = async () => {
    const e = entries[Number(slider.value)];
    if (!e) return;
    label.textContent = `epoch ${e.epoch} of ${entries[entries.length - 1]!.epoch}`;
    const accuracy = e.matrix.map((row, c) => {
      const total = row.reduce((a, b) => a + b, 0);
      return total ? row[c]! / total : null;
    });
    await draw(matrix, confusionSpec(e.classes, e.matrix));
    await draw(perClass, perClassSpec(e.classes, accuracy));
  };
  slider.addEventListener('input', () => {
    followLatest = Number(slider.value) === entries.length - 1;
    void show();
  });

  return {
    element,
    update(next) {
      // Later lines for an epoch (a resumed run) replace earlier ones.
      const byEpoch = new Map(next.map((e) => [e.epoch, e]));
      entries = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
      if (entries.length === 0) return void element.replaceChildren(empty);
      if (!element.contains(body)) element.replaceChildren(h('div', { class: 'toolbar' }, h('label', {}, 'epoch ', slider), label), body);
      slider.max = String(entries.length - 1);
      if (followLatest) slider.value = String(entries.length - 1);
      void show();
    },
  };
}
