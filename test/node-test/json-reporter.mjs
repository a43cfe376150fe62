// A node:test reporter for the adapter's tests: one JSON document on stdout with each test's
// outcome and its error message (a hook failure's cause unwrapped), and what the test
// processes wrote to stderr.
function messageOf(error) {
  if (!error) return undefined;
  const cause = error.code === 'ERR_TEST_FAILURE' && error.cause ? error.cause : error;
  return { name: cause.name, message: String(cause.message ?? cause), failureType: error.failureType };
}

export default async function* jsonReporter(source) {
  const tests = [];
  let stderr = '';
  for await (const event of source) {
    if (event.type === 'test:stderr') stderr += event.data.message;
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, nesting, details, file } = event.data;
    if (details?.type === 'suite') continue;
    tests.push({ name, nesting, file, passed: event.type === 'test:pass', error: messageOf(details?.error) });
  }
  yield JSON.stringify({ tests, stderr }) + '\n';
}
