/** Binding a listening socket, with a one-line explanation when the port is taken. */
import type { Server } from 'node:net';

export class ListenError extends Error {
  readonly code = 'E_LISTEN';
}

export function listenOrExplain(server: Server, host: string, port: number, setting: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE') reject(new ListenError(`${what} port ${where} is already in use: set ${setting} to a free port (0 picks one)`));
      else if (err.code === 'EACCES') reject(new ListenError(`${what} port ${where} needs privileges: set ${setting} to a port above 1023`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new ListenError(`${what} address ${host} is not on this machine: check ANXIN_HOST`));
      else reject(new ListenError(`${what} could not listen on ${where}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
