// visionlab serve [RUNS_DIR]: the dashboard over every run below RUNS_DIR, live while
// runs train. Loopback only unless --host says otherwise, and then with a warning:
// the pages show configs, data paths and images to whoever can reach the port.
import { startDashboard, isLoopback } from '../dashboard/index.js';
import { parseCommandArgs, positiveInt, str, UsageError, type Command } from './args.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'a live web dashboard over run directories',
  usage: `visionlab serve [RUNS_DIR] [--port 6006] [--host 127.0.0.1]

Serves a read-only web page over every run directory below RUNS_DIR (default
./runs): a runs table, comparisons of learning curves and configs, and per run
live curves, the confusion matrix per epoch, a prediction explorer and an
embedding projector. New runs and epochs appear while they train.

  --port N     port to listen on (default 6006; 0 picks a free one)
  --host HOST  address to bind (default 127.0.0.1: this machine only)`,
  async run(argv) {
    const a = parseCommandArgs('serve', argv, { port: { type: 'string' }, host: { type: 'string' } });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length > 1) throw new UsageError(`serve: expected at most one RUNS_DIR, got ${a.positionals.length}`);
    const portText = str(a.values.port);
    const port = portText === '0' ? 0 : positiveInt(a.values.port, '--port') ?? 6006;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const host = str(a.values.host) ?? '127.0.0.1';
    if (!isLoopback(host)) {
      console.warn(`warning: serving on ${host}: anyone who can reach this address can read these runs (configs, images, weights)`);
    }
    const dashboard = await startDashboard({ root: a.positionals[0] ?? 'runs', host, port });
    console.log(`visionlab dashboard: ${dashboard.url} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = () => void dashboard.close().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
