// The emulator's log of the write requests it received (every method but GET), in the order they
// arrived: what tests read to assert the order of a client's writes from the server's side, not
// from inside the client. Served at GET /_emulator/requests (the emulator's token), cleared by
// DELETE and by a reset. Bounded: the oldest entries are dropped past LIMIT.
export interface LoggedRequest {
  /** 1, 2, … in arrival order, across drops. */
  seq: number;
  method: string;
  /** The path without the query, e.g. /api/data/v9.2/msdyn_iomproviders(…). */
  path: string;
  /** The parsed JSON body, or the text when it is not JSON; absent when empty. */
  body?: unknown;
}

const LIMIT = 2000;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  record(method: string, path: string, body: string): void {
    if (method === "GET") return;
    const entry: LoggedRequest = { seq: ++this.seq, method, path };
    if (body !== "") {
      try {
        entry.body = JSON.parse(body);
      } catch {
        entry.body = body;
      }
    }
    this.entries.push(entry);
    if (this.entries.length > LIMIT) this.entries.splice(0, this.entries.length - LIMIT);
  }

  clear(): void {
    this.entries = [];
  }

  toJSON(): { requests: LoggedRequest[] } {
    return { requests: this.entries };
  }
}
