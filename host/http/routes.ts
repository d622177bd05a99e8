import type { FastifyReply, FastifyRequest } from 'fastify';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type RouteHandler = (req: FastifyRequest, reply: FastifyReply, params: Record<string, string | undefined>) => unknown;

export interface RouteDef {
  method: HttpMethod | HttpMethod[];
  /** find-my-way pattern, e.g. `/api/v1/write` or `/insert/:tenant/prometheus/api/v1/write`. */
  url: string;
  handler: RouteHandler;
}

/**
 * Routes a plugin serves on the shared HTTP listener. Routes can come and go while the server
 * runs (drop-in plugins), and a later generation of a component takes over its predecessor's
 * routes without a moment of 404. Request bodies arrive as Buffers (or parsed JSON for
 * application/json); the server caps their size, plugins may cap lower and answer 413.
 */
export interface HttpRoutes {
  route(def: RouteDef): void;
}
