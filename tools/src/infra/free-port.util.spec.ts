import { createServer } from 'node:net';
import { ephemeralPortRange, findFreePort } from './free-port.util';

describe('findFreePort', () => {
  it('finds a port below the ephemeral range that can be listened on, different ones in a row', async () => {
    const [low] = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 5 }, () => findFreePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low);
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ port, host: '127.0.0.1', exclusive: true }, resolve));
      await new Promise((resolve) => server.close(resolve));
    }
    expect(new Set(ports).size).toBeGreaterThan(1);
  });

  it("reads the kernel's range, and falls back to IANA's without it", () => {
    expect(ephemeralPortRange(() => '32768\t60999\n')).toEqual([32768, 60999]);
    expect(ephemeralPortRange(() => 'garbage')).toEqual([49152, 65535]);
    expect(ephemeralPortRange(() => {
      throw new Error('ENOENT');
    })).toEqual([49152, 65535]);
  });
});
