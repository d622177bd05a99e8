import type { FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import type { HttpMethod, HttpRoutes, RouteDef, RouteHandler } from './routes.js';

interface Slot {
  owner: string;
  /** The instance (generation) whose handler is current; only it may remove the route. */
  holder: object;
  handler: RouteHandler;
}

/** A component instance's routes, with the means to remove them on teardown. */
export interface ComponentRoutes extends HttpRoutes {
  detach(): void;
}

/**
 * Plugin routes, changeable while the server listens (fastify's own routes are fixed once it
 * starts). A route is keyed by method and pattern and belongs to one component: a new generation
 * of that component takes it over by registering it again, so there is no moment of 404, and the
 * old generation's teardown leaves it alone. Another component asking for the route is refused.
 */
export class DynamicRouter {
  #router = FindMyWay({ ignoreTrailingSlash: true });
  #slots = new Map<string, Slot>();

  forComponent(owner: string): ComponentRoutes {
    const holder = {};
    const mine = new Set<string>();
    return {
      route: (def: RouteDef) => {
        for (const method of Array.isArray(def.method) ? def.method : [def.method]) {
          const key = `${method} ${def.url}`;
          const slot = this.#slots.get(key);
          if (slot && slot.owner !== owner) throw new RangeError(`route ${key} already belongs to ${slot.owner}`);
          if (slot) {
            slot.holder = holder;
            slot.handler = def.handler;
          } else {
            const fresh: Slot = { owner, holder, handler: def.handler };
            this.#slots.set(key, fresh);
            this.#router.on(method, def.url, () => undefined, fresh);
          }
          mine.add(key);
        }
      },
      detach: () => {
        for (const key of mine) {
          if (this.#slots.get(key)?.holder !== holder) continue;
          this.#slots.delete(key);
          const space = key.indexOf(' ');
          this.#router.off(key.slice(0, space) as HttpMethod, key.slice(space + 1));
        }
        mine.clear();
      },
    };
  }

  /** Serves a request fastify's fixed routes did not match; false when no plugin route matches. */
  async dispatch(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const path = req.url.split('?', 1)[0]!;
    const found = this.#router.find(req.method as HttpMethod, path);
    if (!found) return false;
    const slot = found.store as Slot;
    await slot.handler(req, reply, (found.params ?? {}) as Record<string, string | undefined>);
    return true;
  }
}
