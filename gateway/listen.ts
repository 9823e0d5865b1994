/** Binding a listening socket, with a one-line explanation when the port is taken. */
import type { Server } from 'node:net';

export class ListenError extends Error {
  readonly code = 'E_LISTEN';
}

/** One line that says which setting to change, for a listen that failed. */
export function explainListenError(err: NodeJS.ErrnoException, host: string, port: number, setting: string, what: string): ListenError {
  const where = `${host}:${port}`;
  if (err.code === 'EADDRINUSE') return new ListenError(`${what} port ${where} is already in use: set ${setting} to a free port (0 picks one)`);
  if (err.code === 'EACCES') return new ListenError(`${what} port ${where} needs privileges: set ${setting} to a port above 1023`);
  if (err.code === 'EADDRNOTAVAIL') return new ListenError(`${what} address ${host} is not on this machine: check ANXIN_HOST`);
  return new ListenError(`${what} could not listen on ${where}: ${err.message}`);
}

export function listenOrExplain(server: Server, host: string, port: number, setting: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(explainListenError(err, host, port, setting, what));
    server.once('error', onError);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
