import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bind to port 0, read the port the kernel
 * chose, close. Another process could take it before the caller binds; peers started on it should
 * be checked for readiness (see `prometheus.ts`).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('cannot read the port of a listening socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
