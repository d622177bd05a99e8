import Fastify, { type FastifyInstance } from 'fastify';
import { SluiceError } from '../errors.js';
import { DynamicRouter } from './dynamic-router.js';

export interface HttpServerOptions {
  /** Hard cap on any request body; plugins may enforce lower limits and answer 413. */
  maxBodyBytes: number;
  /** The plugin router to serve; a new one when absent. */
  router?: DynamicRouter;
}

/**
 * The one HTTP listener: fixed host routes are added by the caller before `listen`, plugin routes
 * go through `router` at any time. Every body arrives as a raw Buffer, whatever its content type:
 * remote_write, import and similar endpoints decode it themselves.
 */
export function createHttpServer(opts: HttpServerOptions): { app: FastifyInstance; router: DynamicRouter } {
  const app = Fastify({ logger: false, bodyLimit: opts.maxBodyBytes, forceCloseConnections: true });
  const router = opts.router ?? new DynamicRouter();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err instanceof SluiceError ? err.status : err.statusCode ?? 500;
    if (status === 413) return reply.code(413).type('text/plain').send(`request body too large: ${err.message}\n`);
    reply.code(status).type('text/plain').send(`${err.message}\n`);
  });
  app.all('/*', async (req, reply) => {
    if (!(await router.dispatch(req, reply))) reply.code(404).type('text/plain').send(`no route for ${req.method} ${req.url}\n`);
    return reply;
  });
  return { app, router };
}
