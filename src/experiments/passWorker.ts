import { parentPort, workerData } from 'node:worker_threads';
import { runPassHelper, type PassHelperInit } from '../linalg/wasm/passThreads.ts';

/** Body of a pass helper thread (nodePassThreads.ts): runs its lanes of every pass until told to stop. */
runPassHelper(workerData as PassHelperInit, () => parentPort!.postMessage('ready'));
