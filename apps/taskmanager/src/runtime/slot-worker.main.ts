/** Entry of a slot's worker thread: one thread per slot runs that slot's subtasks. */
import { parentPort, workerData } from 'node:worker_threads';
import { FromSlotWorker, SlotWorkerData, ToSlotWorker } from './slot-worker.messages';
import { SlotTaskRunner } from './task-runner';

const data = workerData as SlotWorkerData;
const post = (message: FromSlotWorker) => parentPort!.postMessage(message);
const runner = new SlotTaskRunner(
  data.natsUrl,
  (event) => post({ type: 'state', event }),
  (event) => post({ type: 'checkpoint', event }),
  data.checkpointDir,
  data.clusterId,
);

parentPort!.on('message', (message: ToSlotWorker) => {
  switch (message.type) {
    case 'deploy':
      void runner.deploy(message.deployment, message.artifactPath, message.ports);
      return;
    case 'cancel':
      void (message.executionAttemptId ? runner.cancel(message.executionAttemptId) : runner.cancelAll()).finally(() =>
        post({ type: 'done', requestId: message.requestId }));
      return;
    case 'trigger-checkpoint':
      runner.triggerCheckpoint(message.jobId, message.executionAttemptId, message.checkpointId);
      return;
    case 'checkpoint-complete':
      runner.notifyCheckpointComplete(message.jobId, message.checkpointId);
      return;
    case 'drain':
      runner.drain(message.jobId);
      return;
    case 'close':
      void runner.close().finally(() => post({ type: 'done', requestId: message.requestId }));
      return;
  }
});
