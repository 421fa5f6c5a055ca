// A raw HTTP/1.1 client over node:net for the end-to-end tests of the HTTP edge: it sends exactly the bytes a test
// gives (lying Content-Length, duplicate headers, chunked bodies of any size) and reports what came back and how the
// connection ended, which fetch() cannot do.

import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: Socket;
  /** Writes and resolves once the bytes are handed to the kernel (honours backpressure); false if the socket is gone. */
  write(data: string | Uint8Array): Promise<boolean>;
  /** The next complete response (status line, headers, Content-Length body) on this connection. */
  response(timeoutMs?: number): Promise<RawResponse>;
  /** Resolves when the server ends or resets the connection: how it ended. */
  ended(timeoutMs?: number): Promise<"closed" | "reset">;
  close(): void;
}

export function rawConnect(baseUrl: string): Promise<RawConnection> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let buffer = Buffer.alloc(0);
    let end: "closed" | "reset" | null = null;
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const waiter of [...waiters]) waiter();
    };
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      wake();
    });
    socket.on("error", () => {
      // ECONNRESET or EPIPE: the server dropped the connection with our bytes unread.
      end ??= "reset";
      wake();
    });
    socket.on("close", () => {
      end ??= "closed";
      wake();
    });

    const until = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
      new Promise((done, fail) => {
        const attempt = () => {
          let value: T | undefined;
          try {
            value = check();
          } catch (error) {
            waiters.delete(attempt);
            clearTimeout(timer);
            return fail(error);
          }
          if (value === undefined) return;
          waiters.delete(attempt);
          clearTimeout(timer);
          done(value);
        };
        const timer = setTimeout(() => {
          waiters.delete(attempt);
          fail(new Error(`no ${what} within ${timeoutMs} ms (received so far: ${JSON.stringify(buffer.toString("latin1").slice(0, 200))})`));
        }, timeoutMs);
        waiters.add(attempt);
        attempt();
      });

    const takeResponse = (): RawResponse | undefined => {
      const headEnd = buffer.indexOf("\r\n\r\n");
      if (headEnd < 0) {
        if (end !== null) throw new Error(`connection ${end} before a response (received ${buffer.length} bytes)`);
        return undefined;
      }
      const lines = buffer.subarray(0, headEnd).toString("latin1").split("\r\n");
      const status = Number(lines[0].split(" ")[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (buffer.length < headEnd + 4 + length) {
        if (end !== null) throw new Error(`connection ${end} inside a response body`);
        return undefined;
      }
      const body = buffer.subarray(headEnd + 4, headEnd + 4 + length).toString("utf8");
      buffer = buffer.subarray(headEnd + 4 + length);
      return { status, headers, body };
    };

    socket.once("connect", () =>
      resolve({
        socket,
        write: (data) =>
          new Promise((done) => {
            if (end !== null || socket.destroyed) return done(false);
            let settled = false;
            const finish = (ok: boolean) => {
              if (settled) return;
              settled = true;
              waiters.delete(onEnd);
              done(ok);
            };
            // A server that stops reading never flushes our bytes; its closing the connection settles the write.
            const onEnd = () => end !== null && finish(false);
            waiters.add(onEnd);
            socket.write(data, (error) => finish(!error));
          }),
        response: (timeoutMs = 30_000) => until(takeResponse, timeoutMs, "response"),
        ended: (timeoutMs = 30_000) => until(() => end ?? undefined, timeoutMs, "end of the connection"),
        close: () => socket.destroy(),
      }),
    );
    socket.once("error", reject);
  });
}

/** One chunk of a chunked body. */
export function chunk(bytes: number, fill = "a"): string {
  return `${bytes.toString(16)}\r\n${fill.repeat(bytes)}\r\n`;
}

/** Writes `total` bytes as a chunked body in 64 KiB chunks, stopping early if the server goes away; bytes written. */
export async function writeChunked(connection: RawConnection, total: number, finish = true): Promise<number> {
  let sent = 0;
  while (sent < total) {
    const size = Math.min(64 * 1024, total - sent);
    if (!(await connection.write(chunk(size)))) return sent;
    sent += size;
  }
  if (finish) await connection.write("0\r\n\r\n");
  return sent;
}
