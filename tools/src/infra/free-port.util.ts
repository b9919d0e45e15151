// Finds a TCP port that is free right now on 127.0.0.1. There is an unavoidable race between
// closing the probe socket and the caller binding the port; callers that spawn a server therefore
// still check that the server they started is the one that answers (see the launchers).
//
// The port is picked below the kernel's ephemeral range when there is room: a port the kernel
// picks (port 0) is an ephemeral one, and every outgoing connection of this machine takes its
// local port from that range too, so one opened in between (a service connecting to Postgres)
// could take it first. Seen in CI: a dispatcher's `listen EADDRINUSE` on a port found this way.

import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** Lowest port picked outside the ephemeral range (below: well-known and registered services). */
const LOWEST_PICKED = 10_000;
const ATTEMPTS = 64;

/** The kernel's ephemeral port range (Linux; elsewhere the IANA one). */
export function ephemeralPortRange(read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')): [number, number] {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux, or /proc not mounted
  }
  return [49_152, 65_535];
}

function tryListen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound > 0 ? bound : undefined));
    });
  });
}

export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const [low] = ephemeralPortRange();
  if (low - LOWEST_PICKED >= 1000) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = await tryListen(LOWEST_PICKED + Math.floor(Math.random() * (low - LOWEST_PICKED)), host);
      if (port !== undefined) return port;
    }
  }
  const port = await tryListen(0, host);
  if (port === undefined) throw new Error(`no free TCP port on ${host}`);
  return port;
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
