// Who hears that the change log moved: after every transaction that appended entries, each listener gets the new
// head. The change stream wakes its long polls and WebSocket tails here; subscription delivery schedules its work
// here. Listeners run synchronously after the commit and must not throw (a throw is caught and reported, so one
// listener never keeps the others from hearing).

export type CommitListener = (headSeq: number) => void;

export class CommitListeners {
  private readonly listeners = new Set<CommitListener>();
  private head = 0;

  /** Registers a listener; answers the function that removes it. */
  add(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The head as last heard. */
  get headSeq(): number {
    return this.head;
  }

  /** The head as the object starts (or after the database was deleted): nobody is told. */
  reset(head: number): void {
    this.head = head;
  }

  /** Called after every transaction ended, committed or not, with the log's head: notifies when it moved. */
  committed(head: number): void {
    if (head <= this.head) return;
    this.head = head;
    for (const listener of this.listeners) {
      try {
        listener(head);
      } catch (error) {
        console.error("commit listener failed", error);
      }
    }
  }
}
