// A node:test reporter printing one line per test in the consumer check's format ("ok   ",
// "FAIL ", "skip "), which scripts/test.mjs counts into its totals. The label names the
// implementation under test (PTY_IMPL), then the test's describe path and name.
const label = process.env.PTY_IMPL === 'node-pty' ? 'node-pty 1.1.0' : 'codex-runner-ipc/node-pty';

export default async function* reporter(source) {
  const names = []; // describe path by nesting level
  for await (const event of source) {
    const { data } = event;
    if (event.type === 'test:start') {
      names[data.nesting] = data.name;
      names.length = data.nesting + 1;
      continue;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') {
      if (event.type === 'test:diagnostic' && /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(data.message)) continue;
      if (event.type === 'test:stderr' || event.type === 'test:stdout' || event.type === 'test:diagnostic') yield `  | ${String(data.message).trimEnd()}\n`;
      continue;
    }
    if (data.details?.type === 'suite') {
      // a suite fails on its own only when something outside its tests broke (a hook, the file)
      if (event.type === 'test:fail' && data.details.error?.failureType !== 'subtestsFailed') yield `FAIL ${label}: ${names.slice(0, data.nesting + 1).join(' ')}: ${describeError(data.details.error)}\n`;
      continue;
    }
    const name = [...names.slice(0, data.nesting), data.name].join(' ');
    if (data.skip !== undefined && data.skip !== false) yield `skip ${label}: ${name}: ${data.skip}\n`;
    else if (event.type === 'test:pass') yield `ok   ${label}: ${name}\n`;
    else yield `FAIL ${label}: ${name}: ${describeError(data.details.error)}\n`;
  }
}

function describeError(error) {
  const cause = error?.cause ?? error;
  const text = cause?.stack ?? cause?.message ?? String(cause);
  return text.split('\n').filter((l) => !/mocha-style\.cjs|node:internal|new Promise|async_hooks/.test(l)).slice(0, 4).join('\n      ');
}
