/**
 * No answer to a request that wrote goes out before what it wrote is on disk.
 *
 * The hub's commits leave their fsync to the group fdatasync (store/wal-sync.ts), so that a disk
 * that stalls never holds the event loop. For a request that changes something (a login, an admin
 * editing a roster, a household or a device, bulk provisioning), the answer is what the caller
 * relies on: it waits here until an fdatasync covering the request's writes has returned. A request
 * that wrote nothing (a refused one, say) is answered at once; one whose writes an earlier fdatasync
 * already covered (a staff action waits for its own, AlertService.act) is not held again.
 *
 * If that fdatasync fails, the answer becomes 503 E_STORAGE: the change is in the store but may not
 * survive a power cut, and the caller should look before repeating it. From then on every commit
 * uses SQLite's own fsync, so later answers go out as before.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.ts';
import { WRITE_METHODS } from './route-kinds.ts';

declare module 'fastify' {
  interface FastifyRequest { writeMark: number | null }
}


export function holdAnswersUntilDurable(app: FastifyInstance, store: Store): void {
  app.decorateRequest('writeMark', null);
  app.addHook('onRequest', async (req) => {
    if (WRITE_METHODS.has(req.method)) req.writeMark = store.writeMark();
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.writeMark === null) return payload;
    const mark = store.writeMark();
    if (mark === req.writeMark) return payload;
    try {
      await store.wal.durable(mark);
      return payload;
    } catch (err) {
      req.log.error({ err }, 'a request\'s writes could not be made durable');
      reply.code(503).type('application/json; charset=utf-8');
      return JSON.stringify({ error: { code: 'E_STORAGE', message: `the change was stored but could not be made durable (${(err as Error).message}): look before repeating it` } });
    }
  });
}
