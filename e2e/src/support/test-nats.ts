// A nats-server of the test's own, on a free port, with JetStream in a temporary store.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServerHandle } from '@runnel/tools';

export interface TestNats extends NatsServerHandle {
  readonly storeDir: string;
}

/** Starts a private nats-server; `stop()` also deletes its store. */
export async function startTestNats(): Promise<TestNats> {
  const storeDir = mkdtempSync(join(tmpdir(), 'runnel-e2e-nats-'));
  const nats = await startNatsServer({ storeDir });
  return {
    ...nats,
    storeDir,
    async stop(timeoutMs?: number) {
      const info = await nats.stop(timeoutMs);
      rmSync(storeDir, { recursive: true, force: true });
      return info;
    },
  };
}
