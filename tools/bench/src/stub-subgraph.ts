// A subgraph answering from memory, for `bench:gateways --stub-subgraphs`: the first time it sees
// a request body it asks the real subgraph at STUB_UPSTREAM and keeps the answer's bytes; every
// later request with the same body gets those bytes back at once. Once a warm-up has asked for
// every page, the subgraphs cost next to nothing and what is left is the gateways' own work, as
// in the published gateway benchmarks' stub subgraphs. GET /stats: hits and misses.
import { createServer } from 'node:http';
import { request } from 'undici';

const port = Number(process.env.STUB_PORT);
const upstream = process.env.STUB_UPSTREAM;
if (!port || !upstream) {
  console.error('stub-subgraph: STUB_PORT and STUB_UPSTREAM (the real subgraph base URL) are required');
  process.exit(2);
}

const answers = new Map<string, { status: number; body: Buffer }>();
const counts = { hits: 0, misses: 0 };

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/stats' ? { ...counts, answers: answers.size } : { status: 'ready' }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const key = Buffer.concat(chunks).toString();
    const kept = answers.get(key);
    if (kept) {
      counts.hits++;
      res.writeHead(kept.status, { 'content-type': 'application/json' });
      res.end(kept.body);
      return;
    }
    counts.misses++;
    request(`${upstream}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: key })
      .then(async (answer) => {
        const body = Buffer.from(await answer.body.arrayBuffer());
        if (answer.statusCode === 200) answers.set(key, { status: 200, body });
        res.writeHead(answer.statusCode, { 'content-type': 'application/json' });
        res.end(body);
      })
      .catch((error: Error) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: `stub-subgraph: ${error.message}` }] }));
      });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
