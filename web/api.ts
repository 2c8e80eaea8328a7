// The server's JSON API and its live event streams, typed as the pages use them.
export type EpochRow = Record<string, number | null>;

export interface RunEntry {
  id: string; name: string; model: string; data: string; task: string; metric: string;
  status: 'running' | 'finished' | 'failed' | 'gone';
  epochs: number; best: number | null; final: number | null; test: number | null;
  secondsPerEpoch: number | null; startedAt: string | null; updatedAt: string;
  config: Record<string, string | number | boolean | null>;
}

export interface ConfusionEntry { epoch: number; classes: string[]; matrix: number[][] }

export interface RunDetails {
  run: RunEntry;
  info: { classNames?: string[]; test?: Record<string, number> } | null;
  config: unknown;
  testMetrics: Record<string, unknown> | null;
  hasSamples: boolean;
  figures: string[];
}

export interface Sample {
  index: number; label: number; predicted: number; confidence: number; loss: number;
  top5: [number, number][]; tsne?: [number, number]; pca?: [number, number];
}

export interface SamplesFile {
  classes: string[];
  thumbnails: { file: string; tileWidth: number; tileHeight: number; columns: number } | null;
  samples: Sample[];
}

export interface Comparison { runs: (RunEntry & { epochsData: EpochRow[] })[]; table: string[][] }

export class NotFound extends Error {}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status === 404) throw new NotFound(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** URL of a file of a run, each path segment encoded. */
export function runFile(runId: string, file: string): string {
  return `/files/${[...runId.split('/'), ...file.split('/')].map(encodeURIComponent).join('/')}`;
}

/** Subscribes to named server-sent events; returns the function that closes the stream. */
export function subscribe(url: string, handlers: Record<string, (data: unknown) => void>): () => void {
  const source = new EventSource(url);
  for (const [name, fn] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => fn(JSON.parse((e as MessageEvent<string>).data)));
  }
  // 'gone' ends the stream for good: stop the browser from reconnecting.
  source.addEventListener('gone', () => source.close());
  return () => source.close();
}
