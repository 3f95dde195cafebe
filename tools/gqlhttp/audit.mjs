// The GraphQL-over-HTTP conformance audit (graphql-http's serverAudits) against a
// running server, with a development token: node audit.mjs <url> <token>.
// Exits non-zero on any error or warning (notices, the "MAY" items, are printed only).
import { serverAudits } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node audit.mjs <url> <token>');
  process.exit(2);
}
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  counts[result.status]++;
  if (result.status !== 'ok') {
    let body = '';
    try { body = (await result.response.text()).slice(0, 300); } catch {}
    console.log(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason} (status ${result.response.status}) ${body}`);
  }
}
console.log(`graphql-http audit: ${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`);
process.exit(counts.warn + counts.error > 0 ? 1 : 0);
