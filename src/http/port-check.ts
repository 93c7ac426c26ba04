import { createServer } from 'node:net';
import { SwitchboardError } from '../errors.ts';

/** The one-line answer to a listen that failed for a reason the user can fix (a busy port, a port that needs privileges). */
export function listenProblem(error: unknown, host: string, port: number): SwitchboardError | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return new SwitchboardError('unavailable', `port ${port} on ${host} is already in use by another program: stop it, or set PORT to a free port`);
  if (code === 'EACCES') return new SwitchboardError('unavailable', `port ${port} on ${host} needs privileges this process lacks: set PORT to a port above 1023`);
  if (code === 'EADDRNOTAVAIL')
    return new SwitchboardError('unavailable', `${host} is not an address of this machine: set HOST (or server.host) to one of its addresses, e.g. 127.0.0.1`);
  return null;
}

/**
 * Whether HOST:PORT can be listened on, tried before storage is opened and queued runs are
 * taken up: a second start on a busy port stops at once with one line, touching nothing.
 * Port 0 (any free port) always can.
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(listenProblem(error, host, port) ?? error));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
