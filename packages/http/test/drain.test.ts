// A stopping server and the kernel's accept queue: a connection whose handshake completed while
// the process was busy waits there, not yet accepted, and a balancer may already have written its
// request on it. Closing the listener resets such a connection (nginx then cannot send a POST
// again): the drain must let it in first.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { createHttpServer, listenUrl } from '../src/server.ts';

const CONNECTIONS = 4;

// The client runs in a thread of its own, so it connects and writes while this thread is blocked
// (nothing here accepts meanwhile); it posts each connection's first line of answer, or its error.
const CLIENT = `
const net = require('node:net');
const { workerData, parentPort } = require('node:worker_threads');
const { port, connections, signal } = workerData;
let connected = 0;
const outcomes = [];
for (let i = 0; i < connections; i++) {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write('POST /echo HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\ncontent-type: application/json\\r\\ncontent-length: 2\\r\\n\\r\\n{}');
    if (++connected === connections) {
      Atomics.store(signal, 0, 1);
      Atomics.notify(signal, 0);
    }
  });
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk));
  const settle = (outcome) => {
    if (outcomes.push(outcome) === connections) parentPort.postMessage(outcomes);
  };
  socket.on('error', (error) => settle(error.code));
  socket.on('close', () => answer && settle(answer.split('\\r\\n')[0]));
}
`;

let app: FastifyInstance;
let port: number;

before(async () => {
  app = createHttpServer({ name: 'drain-test', logLevel: 'silent', bodyLimitBytes: 1024, requestTimeoutMs: 5000 });
  app.post('/echo', async () => ({ ok: true }));
  port = Number(new URL(await listenUrl(app)).port);
});
after(async () => {
  await app.close();
});

test('connections waiting in the accept queue when the listener closes are answered, not reset', async () => {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const client = new Worker(CLIENT, { eval: true, workerData: { port, connections: CONNECTIONS, signal } });
  const outcomes = new Promise<string[]>((resolve, reject) => {
    client.once('message', resolve);
    client.once('error', reject);
  });
  try {
    // this thread blocked until every connection is made and its request written: none accepted
    assert.equal(Atomics.wait(signal, 0, 0, 10_000), 'ok', 'the client connected within 10 s');
    const stopped = app.stopAccepting();
    assert.deepEqual(await outcomes, Array(CONNECTIONS).fill('HTTP/1.1 200 OK'));
    await stopped;
    assert.equal(app.server.listening, false, 'the listener is closed once the queue is empty');
  } finally {
    await client.terminate();
  }
});
