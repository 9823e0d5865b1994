/**
 * One console's connection as the console socket (console-socket.ts) and its catch-up see it: send a
 * message or a prepared frame, close it, ping it, and hear its pongs, messages and close. The
 * WebSocket itself lives either in the hub's own process (LocalLink, below) or in the console
 * process (RemoteLink, console-process.ts), which writes the frames off the hub's main thread.
 */
import type { WebSocket } from 'ws';
import { sendFramed, type CommitCork } from './framed-broadcast.ts';

export interface LinkEvents {
  pong(): void;
  message(data: Buffer, isBinary: boolean): void;
  close(): void;
}

export interface ConsoleLink {
  /** True until it is closed from either end. */
  readonly open: boolean;
  /** Called once, as soon as the console is known (before anything is sent). */
  listen(on: LinkEvents): void;
  /** A text message. */
  send(text: string | Buffer): void;
  /** A text frame built once for many consoles (framed-broadcast.ts textFrame), `payload` its body. */
  sendFrame(payload: Buffer, framed: Buffer): void;
  close(code: number, reason: string): void;
  terminate(): void;
  ping(): void;
}

/** A console whose WebSocket is in this process; its frames of one commit go out in one write (CommitCork). */
export class LocalLink implements ConsoleLink {
  constructor(private readonly ws: WebSocket, private readonly cork: CommitCork) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  listen(on: LinkEvents): void {
    this.ws.on('pong', () => on.pong());
    this.ws.on('message', (data, isBinary) => on.message(data as Buffer, isBinary));
    this.ws.on('close', () => on.close());
    this.ws.on('error', () => this.ws.terminate());
  }

  send(text: string | Buffer): void {
    this.ws.send(text, { binary: false });
  }

  sendFrame(payload: Buffer, framed: Buffer): void {
    this.cork.hold(this.ws);
    sendFramed(this.ws, payload, framed);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  ping(): void {
    this.ws.ping();
  }
}
