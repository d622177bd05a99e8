import { afterEach, describe, expect, it } from 'vitest';
import { DynamicRouter } from '../../host/http/dynamic-router.js';
import { startTestServer } from '../kit/http.js';

describe('dynamic plugin routes', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('a new generation takes a route over and the old one detaching leaves it in place', async () => {
    const router = new DynamicRouter();
    const server = await startTestServer(router);
    close = server.close;
    const gen1 = router.forComponent('remote_write/main');
    gen1.route({ method: 'POST', url: '/api/v1/write', handler: (_q, reply) => reply.send('gen1') });
    expect(await (await fetch(`${server.url}/api/v1/write`, { method: 'POST', body: 'x' })).text()).toBe('gen1');

    const gen2 = router.forComponent('remote_write/main');
    gen2.route({ method: 'POST', url: '/api/v1/write', handler: (_q, reply) => reply.send('gen2') });
    gen1.detach();
    expect(await (await fetch(`${server.url}/api/v1/write`, { method: 'POST', body: 'x' })).text()).toBe('gen2');

    gen2.detach();
    expect((await fetch(`${server.url}/api/v1/write`, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('refuses a route another component owns', () => {
    const router = new DynamicRouter();
    router.forComponent('a/x').route({ method: 'GET', url: '/x', handler: () => 'a' });
    expect(() => router.forComponent('b/y').route({ method: 'GET', url: '/x', handler: () => 'b' })).toThrow(/belongs to a\/x/);
  });

  it('passes path parameters and raw bodies to the handler', async () => {
    const router = new DynamicRouter();
    const server = await startTestServer(router);
    close = server.close;
    router.forComponent('t/1').route({
      method: 'POST',
      url: '/insert/:tenant/api/v1/write',
      handler: (req, reply, params) => reply.send(`${params.tenant} ${(req.body as Buffer).length}`),
    });
    const res = await fetch(`${server.url}/insert/42:7/api/v1/write`, { method: 'POST', body: new Uint8Array(5), headers: { 'content-type': 'application/x-protobuf' } });
    expect(await res.text()).toBe('42:7 5');
  });
});
