// The dashboard's single page: #/ lists runs, #/compare?run=A&run=B compares runs,
// #/run/ID shows one run. Each page returns how to close its live streams, called when
// the user moves to another page.
import './style.css';
import { h } from './dom.js';
import { runsPage } from './runs-page.js';
import { comparePage } from './compare-page.js';
import { runPage } from './run-page.js';

const app = document.getElementById('app')!;
let close: () => void = () => {};

async function route(): Promise<void> {
  close();
  close = () => {};
  const hash = location.hash.replace(/^#/, '') || '/';
  const [pathPart, query = ''] = hash.split('?') as [string, string?];
  try {
    if (pathPart.startsWith('/run/')) {
      close = await runPage(app, decodeURIComponent(pathPart.slice('/run/'.length)));
    } else if (pathPart === '/compare') {
      await comparePage(app, new URLSearchParams(query).getAll('run'));
    } else {
      close = runsPage(app);
    }
    document.body.dataset.ready = pathPart;
  } catch (e) {
    app.replaceChildren(h('h1', {}, 'Error'), h('pre', {}, String((e as Error)?.message ?? e)));
  }
}

window.addEventListener('hashchange', () => void route());
void route();
