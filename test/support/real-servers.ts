/**
 * The e2e suite runs against the servers named by DATABASE_URL / REDIS_URL when they are
 * set (the URL names the server; each test file creates its own database there), and on
 * the embedded defaults when they are not. The app's own variables are then set per app.
 */
for (const [from, to] of [
  ['DATABASE_URL', 'TEST_DATABASE_URL'],
  ['REDIS_URL', 'TEST_REDIS_URL'],
  ['NATS_URL', 'TEST_NATS_URL'],
] as const) {
  if (process.env[from] && !process.env[to]) {
    process.env[to] = process.env[from];
  }
}
