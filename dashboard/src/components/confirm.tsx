// A confirmation before an action that changes what a function serves: a modal <dialog> (the browser traps focus
// in it and Escape cancels), naming exactly what will happen.

import { useEffect, useRef } from "preact/hooks";

export interface ConfirmRequest {
  title: string;
  detail: string;
  action: string;
  run(): Promise<void>;
}

export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | null; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current!;
    if (request !== null && !d.open) d.showModal();
    if (request === null && d.open) d.close();
  }, [request]);
  return (
    <dialog ref={dialog} aria-labelledby="confirm-title" onClose={onClose} class="confirm">
      <form method="dialog">
        <h3 id="confirm-title">{request?.title}</h3>
        <p>{request?.detail}</p>
        <div class="actions">
          <button type="submit" value="cancel" autofocus>Cancel</button>
          <button
            type="button"
            class="primary"
            onClick={async () => {
              const r = request;
              onClose();
              await r?.run();
            }}
          >
            {request?.action}
          </button>
        </div>
      </form>
    </dialog>
  );
}
