/**
 * For tests: a worker's SlotExchangeIo wired to a SlotIoServer through a real MessageChannel (the
 * thread transport's structured clone and transfers), in one process.
 */
import { MessageChannel } from 'node:worker_threads';
import type { ExchangeIo } from '../exchange/exchange-io.port';
import { SlotExchangeIo } from './slot-io.client';
import type { SlotIoReply, SlotIoRequest } from './slot-io.messages';
import { SlotIoScope } from './slot-io.scope';
import { SlotIoServer } from './slot-io.server';

type ToWorker = { readonly type: 'io-reply'; readonly reply: SlotIoReply } | { readonly type: 'io-message'; readonly sid: number; readonly bytes: Uint8Array };

export function loopbackSlotIo(io: ExchangeIo, scope: SlotIoScope, log?: (message: string) => void): { client: SlotExchangeIo; server: SlotIoServer; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const client = new SlotExchangeIo((request, transfer) => port1.postMessage(request, transfer));
  const server = new SlotIoServer(io, scope, {
    reply: (reply, transfer) => port2.postMessage({ type: 'io-reply', reply } satisfies ToWorker, transfer),
    message: (sid, bytes) => port2.postMessage({ type: 'io-message', sid, bytes: bytes.slice() } satisfies ToWorker),
  }, log);
  port2.on('message', (request: SlotIoRequest) => server.handle(request));
  port1.on('message', (m: ToWorker) => (m.type === 'io-reply' ? client.onReply(m.reply) : client.onMessage(m.sid, m.bytes)));
  return {
    client,
    server,
    close: () => {
      server.close();
      void client.close();
      port1.close();
      port2.close();
    },
  };
}
