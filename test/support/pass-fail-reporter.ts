// A node:test reporter that prints one closing line, `N passed, M failed`, counting
// tests (not the suites around them), for scripts that read a run's outcome at a glance.
// Use it beside the spec reporter: --test-reporter=spec --test-reporter=<this file>.
interface TestEvent { type: string; data: { details?: { type?: string } } }

export default async function* passFailReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.data?.details?.type === 'suite') continue;
    if (event.type === 'test:pass') passed++;
    else if (event.type === 'test:fail') failed++;
  }
  yield `${passed} passed, ${failed} failed\n`;
}
