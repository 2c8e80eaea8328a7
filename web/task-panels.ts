// A run's figures grouped into the panels of the task or method that wrote them
// (segmentation overlays, multi-label thresholds and PR curves, denoising triples,
// robustness, label issues, self-paced and co-teaching records, explanations); what no
// panel claims is shown under "Figures".
export interface FigurePanel { title: string; files: string[] }

const PANELS: readonly { title: string; match: RegExp }[] = [
  { title: 'Segmentation', match: /^(overlays|per_class_iou)\.png$/ },
  { title: 'Multi-label: precision-recall and thresholds', match: /^(precision_recall|per_class_ap|thresholds)\.png$/ },
  { title: 'Denoising', match: /^(denoising|psnr_by_noise_level)\.png$/ },
  { title: 'Robustness', match: /(^|\/)(robustness-curve|per-class-robust-accuracy|adversarial-grid)\.png$/ },
  { title: 'Label noise: issues and transition matrices', match: /(^|\/)(label-issues|transition_estimated|transition_true)\.png$/ },
  { title: 'Self-paced learning', match: /^self_paced_\w+\.png$/ },
  { title: 'Co-teaching and label cleaning', match: /^(co_teaching|label_cleaning)\.png$/ },
  { title: 'Explanations', match: /(^|\/)grad_cam\.png$|^explain\/[\w-]+\.png$/ },
];

/** The task panels that have figures, in a fixed order, then the rest as "Figures". */
export function figurePanels(files: readonly string[]): FigurePanel[] {
  const claimed = new Set<string>();
  const panels: FigurePanel[] = [];
  for (const p of PANELS) {
    const mine = files.filter((f) => !claimed.has(f) && p.match.test(f));
    mine.forEach((f) => claimed.add(f));
    if (mine.length) panels.push({ title: p.title, files: mine });
  }
  const rest = files.filter((f) => !claimed.has(f));
  if (rest.length) panels.push({ title: 'Figures', files: rest });
  return panels;
}
