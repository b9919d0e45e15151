/**
 * The JavaScript stack of a worker thread that may be spinning: the TaskManager's main thread opens
 * an in-process inspector session, attaches to the worker (NodeWorker domain), and pauses it —
 * V8 serves inspector messages through an interrupt, so this works while the worker's event loop
 * is blocked. The worker is resumed and detached again at once. Best effort, bounded in time.
 */
import type { Session } from 'node:inspector';
import { formatCallFrames, type CallFrame } from './slot-stack.format';
import type { StallCapture } from './slot-transport.types';

export async function captureThreadStack(threadId: number, timeoutMs: number): Promise<StallCapture | undefined> {
  let inspector: typeof import('node:inspector');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    inspector = require('node:inspector') as typeof import('node:inspector');
  } catch {
    return undefined; // a Node built without the inspector
  }
  const session: Session = new inspector.Session();
  try {
    session.connect();
  } catch {
    return undefined;
  }
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const attached: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = new Promise<StallCapture | undefined>((resolve, reject) => {
      let target: string | undefined;
      let nextId = 1;
      const replies = new Map<number, (reply: { error?: { message: string }; result?: unknown }) => void>();
      const scripts = new Map<string, string>();
      const send = (method: string, params: object = {}) =>
        new Promise<unknown>((ok, fail) => {
          const id = nextId++;
          replies.set(id, (reply) => (reply.error ? fail(new Error(reply.error.message)) : ok(reply.result)));
          post('NodeWorker.sendMessageToWorker', { sessionId: target, message: JSON.stringify({ id, method, params }) }).catch(fail);
        });
      session.on('NodeWorker.attachedToWorker', (event: { params: { sessionId: string; workerInfo: { workerId: string; title: string } } }) => {
        const { sessionId, workerInfo } = event.params;
        attached.push(sessionId);
        // workerId counts the inspector's own targets; the title starts with the thread id: "[worker <threadId>] <name>".
        if (target || !workerInfo.title.startsWith(`[worker ${threadId}]`)) return;
        target = sessionId;
        send('Debugger.enable')
          .then(() => send('Debugger.pause'))
          .catch(reject);
      });
      session.on('NodeWorker.receivedMessageFromWorker', (event: { params: { sessionId: string; message: string } }) => {
        if (event.params.sessionId !== target) return;
        const message = JSON.parse(event.params.message) as { id?: number; method?: string; params?: Record<string, unknown>; error?: { message: string } };
        if (message.id !== undefined) {
          replies.get(message.id)?.(message);
          replies.delete(message.id);
          return;
        }
        if (message.method === 'Debugger.scriptParsed') {
          const p = message.params as { scriptId: string; url: string };
          scripts.set(p.scriptId, p.url);
        } else if (message.method === 'Debugger.paused') {
          const frames = formatCallFrames((message.params as { callFrames: CallFrame[] }).callFrames ?? [], scripts);
          let heapUsedBytes: number | undefined;
          // While it is paused: a worker that never returns because garbage collection has it
          // (a heap at its limit) is out of memory, not stuck in user code.
          send('Runtime.getHeapUsage')
            .then((usage) => (heapUsedBytes = (usage as { usedSize?: number } | undefined)?.usedSize))
            .catch(() => undefined)
            .then(() => send('Debugger.resume'))
            .then(() => send('Debugger.disable'))
            .catch(() => undefined)
            .finally(() => resolve({ frames: frames || undefined, heapUsedBytes }));
        }
      });
      post('NodeWorker.enable', { waitForDebuggerOnStart: false }).catch(reject);
    });
    const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    return await Promise.race([work, deadline]).catch(() => undefined);
  } finally {
    clearTimeout(timer);
    await Promise.allSettled(attached.map((sessionId) => post('NodeWorker.detach', { sessionId })));
    await post('NodeWorker.disable').catch(() => undefined);
    session.disconnect();
  }
}
