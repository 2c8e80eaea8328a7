// The dashboard layer: a local, read-only web page over run directories (visionlab serve).
export { startDashboard, isLoopback, ASSETS_DIR, type Dashboard, type DashboardOptions } from './server.js';
export { listRuns, describeRun, findRuns, type RunEntry, type RunStatus } from './run-index.js';
export { safeSegments, resolveInside } from './safe-path.js';
export { parseJsonLines, JsonLinesTail } from './json-lines.js';
