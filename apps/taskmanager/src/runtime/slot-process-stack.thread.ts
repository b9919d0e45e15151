/**
 * A helper thread inside a slot's worker *process* (TM_SLOT_ISOLATION=process) that answers its
 * TaskManager's "where is it stuck?" while the process's main thread spins in user code: it holds an
 * inspector session to the main thread (V8 serves inspector messages through an interrupt, so a
 * pause works while the main thread's event loop is blocked), and listens on a pipe of its own
 * (fd STACK_FD), which — unlike the IPC channel — does not need the main thread. Each request
 * line gets one reply line: the main thread's frames and heap use as JSON. The thread adds no capability: user
 * code in that process could open the same session itself.
 */
import { Session } from 'node:inspector';
import { Socket } from 'node:net';
import { formatCallFrames, type CallFrame } from './slot-stack.format';
import { STACK_FD } from './slot-worker.messages';


const pipe = new Socket({ fd: STACK_FD, readable: true, writable: true });
const session = new Session();
session.connectToMainThread();
const scripts = new Map<string, string>();
let busy = false;

session.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) => scripts.set(m.params.scriptId, m.params.url));
session.on('Debugger.paused', (m: { params: { callFrames: CallFrame[] } }) => {
  const frames = formatCallFrames(m.params.callFrames, scripts);
  // The main thread's heap (not this thread's): the session is the main thread's.
  session.post('Runtime.getHeapUsage', (_error, usage) =>
    session.post('Debugger.resume', () =>
      session.post('Debugger.disable', () => {
        scripts.clear();
        busy = false;
        pipe.write(`${JSON.stringify({ frames: frames || undefined, heapUsedBytes: (usage as { usedSize?: number } | undefined)?.usedSize })}\n`);
      }),
    ),
  );
});
pipe.on('data', () => {
  if (busy) return;
  busy = true;
  session.post('Debugger.enable', (error) => {
    if (error) {
      busy = false;
      pipe.write('null\n');
      return;
    }
    session.post('Debugger.pause');
  });
});
// The process ends with its main thread; a closed pipe (the TaskManager gone) ends this thread.
pipe.on('error', () => process.exit(0));
pipe.on('end', () => process.exit(0));
