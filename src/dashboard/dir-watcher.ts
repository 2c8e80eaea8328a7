// Change notifications for a folder, shared by every listener of that folder and
// debounced, so that a burst of writes (a checkpoint, a report) wakes each client once.
// fs.watch (inotify) is the source; where it is unavailable (some network and container
// file systems), one stat poll per folder per second replaces it.
import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';

const DEBOUNCE_MS = 40;
const POLL_MS = 1000;

type Listener = () => void;

interface Entry { listeners: Set<Listener>; stop: () => void; timer?: NodeJS.Timeout }

const entries = new Map<string, Entry>();

function start(dir: string, fire: () => void): () => void {
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, fire);
    // A folder deleted while watched ends the watcher with an error: that is news too.
    watcher.on('error', fire);
    return () => watcher!.close();
  } catch {
    const poll = () => fire();
    watchFile(dir, { interval: POLL_MS, persistent: false }, poll);
    return () => unwatchFile(dir, poll);
  }
}

/** Calls listener after changes in dir (its own entries, not below); returns the unsubscribe function. */
export function watchDir(dir: string, listener: Listener): () => void {
  let entry = entries.get(dir);
  if (!entry) {
    const e: Entry = { listeners: new Set(), stop: () => {} };
    e.stop = start(dir, () => {
      if (e.timer) return;
      e.timer = setTimeout(() => {
        e.timer = undefined;
        for (const l of [...e.listeners]) l();
      }, DEBOUNCE_MS);
    });
    entries.set(dir, e);
    entry = e;
  }
  entry.listeners.add(listener);
  const e = entry;
  return () => {
    e.listeners.delete(listener);
    if (e.listeners.size > 0) return;
    e.stop();
    if (e.timer) clearTimeout(e.timer);
    entries.delete(dir);
  };
}
