// The gateway's admin and cache routes answer only requests addressed to this machine by a name
// it answers to, and changes only from their own origin: a token in hand is not enough for a
// DNS-rebound page or another site's.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { seededStack } from '@supergraph-lab/stack/fixture';

const TOKEN = 'guard-test-admin-token-0123456789';

/** One request with headers fetch would not let a test set (Host); its status and JSON body. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: { detail?: string; code?: string } }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname,
        headers: { authorization: `Bearer ${TOKEN}`, ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: text ? JSON.parse(text) : {} }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the gateway admin routes: Host and Origin', () => {
  const stack = seededStack('guard', { items: 3, seed: 1, env: { ADMIN_TOKEN: TOKEN, ALLOWED_HOSTS: 'shop.example' } });

  test('a foreign Host is refused with 403, a loopback or allowed one is served', async () => {
    const host = new URL(stack.gatewayUrl).host;
    const rebound = await send(stack.gatewayUrl, 'GET', '/cache', { host: 'attacker.example' });
    assert.equal(rebound.status, 403);
    assert.equal(rebound.body.code, 'FORBIDDEN');
    assert.match(rebound.body.detail!, /Host "attacker.example" .*ALLOWED_HOSTS/);
    assert.equal((await send(stack.gatewayUrl, 'GET', '/admin/settings', { host: 'attacker.example:80' })).status, 403);
    for (const name of [host, `localhost:${new URL(stack.gatewayUrl).port}`, 'shop.example'])
      assert.equal((await send(stack.gatewayUrl, 'GET', '/cache', { host: name })).status, 200, name);
    // the shop's own API is not guarded: any name reaches it
    assert.equal((await send(stack.gatewayUrl, 'GET', '/api/items/1', { host: 'attacker.example' })).status, 200);
  });

  test("a change from another site's page is refused, with or without a body", async () => {
    const host = new URL(stack.gatewayUrl).host;
    const crossOrigin = await send(stack.gatewayUrl, 'POST', '/cache/flush', {
      host,
      origin: 'https://attacker.example',
    });
    assert.equal(crossOrigin.status, 403);
    assert.match(crossOrigin.body.detail!, /Origin https:\/\/attacker.example is not this site/);
    const crossSite = await send(stack.gatewayUrl, 'POST', '/cache/flush', { host, 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    assert.match(crossSite.body.detail!, /Sec-Fetch-Site is cross-site/);
    // its own page, and a client with no browser headers (curl, the lab's server), are served
    const sameOrigin = await send(stack.gatewayUrl, 'POST', '/cache/flush', {
      host,
      origin: stack.gatewayUrl,
      'sec-fetch-site': 'same-origin',
    });
    assert.equal(sameOrigin.status, 200);
    assert.equal((await send(stack.gatewayUrl, 'POST', '/cache/flush', { host })).status, 200);
  });
});
