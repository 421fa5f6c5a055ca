// The WebSocket tail of the change log (GET .../changes/tail?after=SEQ): every entry after `after`, in seq order,
// pushed as each commit ends, through the Durable Object hibernation API.
//
// Hibernation: the object may be evicted while its sockets stay open; its in-memory state is then gone and the
// constructor runs again at the next event (a write, a message). So a socket's position lives in its attachment
// (WebSocket.serializeAttachment keeps a structured-clone copy that survives hibernation; workerd caps it at 16 KiB,
// src/workerd/api/web-socket.h MAX_ATTACHMENT_SIZE) and the sockets come from ctx.getWebSockets(TAIL_TAG), never
// from a field. A reconnecting client resumes with ?after= the last seq it processed.
//
// Back-pressure: workerd's WebSocket.send() queues without limit and reports no buffered amount, so the tail does
// its own flow control: at most TAIL_WINDOW entries are sent past the last seq the client acknowledged
// ({"type":"ack","seq":N}); a client that stops acknowledging stops receiving, and holds no memory but its position.

import type { ChangeRead, ChangeStream } from "./change-stream.ts";
import type { CommitListeners } from "./commit-listeners.ts";

/** Tag of the tail's sockets (ctx.acceptWebSocket), so other sockets of the object are never counted or fed. */
export const TAIL_TAG = "change-tail";
/** Open tails per database; more are refused (429). */
export const MAX_TAILS_PER_DATABASE = 100;
/** Entries per frame at most (and MAX_CHANGES_READ_BYTES of JSON). */
export const TAIL_BATCH = 100;
/** Entries sent past the client's last acknowledged seq at most. */
export const TAIL_WINDOW = 1000;
/** Close code when retention pruned entries the socket still had to send (like HTTP 410). */
export const CLOSE_CURSOR_EXPIRED = 4410;

/** WebSocket.readyState of an open socket (the standard's OPEN). */
const WEBSOCKET_OPEN = 1;

/** What each socket's attachment holds: the last seq sent, and the last the client acknowledged. */
export interface TailPosition {
  sent: number;
  acked: number;
}

export type TailOpen = { ok: true; response: Response } | { ok: false; refusal: ChangeRead | { ok: false; code: "too_many_tails"; max: number } };

export class ChangeTails {
  /** The running pump, and whether another pass was asked for meanwhile (one pass at a time: frames stay in order). */
  private pumping: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly stream: ChangeStream,
    commits: CommitListeners,
  ) {
    commits.add(() => this.wake());
  }

  /** Accepts a tail from `after` (checked first: a pruned or future cursor, or too many tails, is refused). */
  async open(after: number): Promise<TailOpen> {
    const check = await this.stream.readNow(after, 0);
    if (!check.ok) return { ok: false, refusal: check };
    if (this.ctx.getWebSockets(TAIL_TAG).length >= MAX_TAILS_PER_DATABASE) {
      return { ok: false, refusal: { ok: false, code: "too_many_tails", max: MAX_TAILS_PER_DATABASE } };
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [TAIL_TAG]);
    server.serializeAttachment({ sent: after, acked: after } satisfies TailPosition);
    this.wake();
    return { ok: true, response: new Response(null, { status: 101, webSocket: client }) };
  }

  /** A client frame: `{"type":"ack","seq":N}` moves its window; anything else is answered with an error frame. */
  message(ws: WebSocket, data: string | ArrayBuffer): void {
    const position = positionOf(ws);
    if (position === null) return;
    const seq = ackOf(data);
    if (seq === null || seq > position.sent) {
      send(ws, { type: "error", code: "invalid_message", message: `expected {"type":"ack","seq":N} with N at most ${position.sent}, the last seq sent` });
      return;
    }
    if (seq > position.acked) {
      ws.serializeAttachment({ sent: position.sent, acked: seq } satisfies TailPosition);
      this.wake();
    }
  }

  /** The client closed: answer its close (a no-op where the runtime already replied). */
  close(ws: WebSocket, code: number): void {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // Already closed (web_socket_auto_reply_to_close replies on its own since compatibility date 2026-04-07).
    }
  }

  /** Runs a pump pass now, or right after the one running. Never throws. */
  wake(): void {
    if (this.pumping !== null) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        for (const ws of this.ctx.getWebSockets(TAIL_TAG)) await this.feed(ws).catch((error) => console.error("change tail failed", error));
      } while (this.again);
    })().finally(() => (this.pumping = null));
  }

  /** Sends one socket what it may receive: entries after its position, within its window. */
  private async feed(ws: WebSocket): Promise<void> {
    for (;;) {
      const position = positionOf(ws);
      if (position === null || ws.readyState !== WEBSOCKET_OPEN) return;
      const room = TAIL_WINDOW - (position.sent - position.acked);
      if (room <= 0) return;
      const read = await this.stream.readNow(position.sent, Math.min(room, TAIL_BATCH));
      if (!read.ok) {
        send(ws, { type: "error", ...read });
        ws.close(CLOSE_CURSOR_EXPIRED, read.code);
        return;
      }
      if (read.changes.length === 0) return;
      send(ws, { type: "changes", changes: read.changes, headSeq: read.headSeq });
      ws.serializeAttachment({ sent: read.changes[read.changes.length - 1].seq, acked: position.acked } satisfies TailPosition);
    }
  }
}

function positionOf(ws: WebSocket): TailPosition | null {
  const value = ws.deserializeAttachment() as TailPosition | null;
  return value !== null && typeof value === "object" && typeof value.sent === "number" ? value : null;
}

/** The seq of an ack frame, or null when the frame is not one. */
export function ackOf(data: string | ArrayBuffer): number | null {
  if (typeof data !== "string" || data.length > 200) return null;
  try {
    const frame = JSON.parse(data) as { type?: unknown; seq?: unknown };
    return frame.type === "ack" && Number.isSafeInteger(frame.seq) && (frame.seq as number) >= 0 ? (frame.seq as number) : null;
  } catch {
    return null;
  }
}

function send(ws: WebSocket, frame: unknown): void {
  ws.send(JSON.stringify(frame));
}
