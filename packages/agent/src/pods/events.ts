// Kubernetes Events about pods, as the kubelet writes them: through client-go's recorder,
// so a repeated event (the same failure on every retry) folds into one Event whose count
// and lastTimestamp rise (`x5 over 2m` in kubectl), and a write that fails is dropped, never
// retried in the sync path.
import type { Pod } from '@k8ts/api';
import { EventRecorder as ClientEventRecorder, type Client, type Logger } from '@k8ts/client';

export class EventRecorder {
  private readonly recorder: ClientEventRecorder;

  constructor(client: Client, nodeName: string, log?: Logger) {
    this.recorder = new ClientEventRecorder(client, 'kubelet', nodeName, log ? { logger: log } : {});
  }

  pod(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    void this.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata ?? {} }, type, reason, message, fieldPath);
  }

  /** Waits for the events recorded so far to be written. */
  flush(): Promise<void> {
    return this.recorder.flush();
  }
}
