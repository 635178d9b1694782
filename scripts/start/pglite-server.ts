// PGlite is one Postgres session. This serves it to many client connections (every service's
// pool) as if each had a session of its own, by two rules:
// - a lease: one connection at a time talks to the session, from its first message until the
//   session is idle again (ReadyForQuery 'I' after its Sync or simple Query). An extended-protocol
//   batch (Parse/Bind/Execute/Sync) or a transaction is never interleaved with another
//   connection's messages. @electric-sql/pglite-socket 0.2.17 interleaves per message outside a
//   transaction, so one connection's Bind met another's unnamed statement, and each pool's named
//   statements collided ("prepared statement ... already exists", 98% of REST pages failed at
//   20/s), and one error mid-batch left the session skipping messages for everyone.
// - names: each connection's prepared statements and portals are renamed `c<id>_<name>` on the
//   way in, so two pools preparing `items_by_ids` each get their own, and dropped when the
//   connection closes.
// A connection that dies holding the lease leaves the session clean: a Sync ends its batch, a
// ROLLBACK its transaction. One idle in a transaction while others wait is closed after
// `idleInTransactionMs`, as Postgres's idle_in_transaction_session_timeout would.
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/** Options for {@link startPGliteServer}. */
export interface PGliteServerOptions {
  host?: string;
  /** 0 picks a free port; the server's `port` says which. */
  port: number;
  /** Connections beyond this are refused with Postgres's "too many clients" error. */
  maxConnections?: number;
  /** A connection idle inside a transaction this long, while another waits, is closed. */
  idleInTransactionMs?: number;
}

/** A running server: where it listens, what it counts, how to stop it. */
export interface PGliteServer {
  port: number;
  /** Connections open now, and batches waiting for the session. */
  stats(): { connections: number; waiting: number; batches: number };
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

/** Serves `db` on a TCP port, one session per client connection (see the file's comment). */
export async function startPGliteServer(db: PGlite, options: PGliteServerOptions): Promise<PGliteServer> {
  const maxConnections = options.maxConnections ?? 100;
  const idleInTransactionMs = options.idleInTransactionMs ?? 30_000;
  const connections = new Set<Connection>();
  const lease = new Lease();
  let nextId = 1;
  let batches = 0;

  /** Runs raw protocol bytes on the session; the caller holds the lease. */
  async function execute(bytes: Buffer, onData: (chunk: Uint8Array) => void): Promise<void> {
    await db.runExclusive(() => db.execProtocolRawStream(new Uint8Array(bytes), { onRawData: onData }));
  }

  class Connection {
    readonly id = nextId++;
    private buffer: Buffer = Buffer.alloc(0);
    private pending: Buffer[] = [];
    private started = false;
    private closed = false;
    /** The session is this connection's until it is idle again. */
    private holding = false;
    private running = false;
    private idleTimer: NodeJS.Timeout | undefined;
    private readonly statements = new Set<string>();
    private readonly portals = new Set<string>();

    constructor(private readonly socket: Socket) {
      socket.setNoDelay(true);
      socket.on('data', (chunk) => this.receive(chunk));
      socket.on('error', () => socket.destroy());
      socket.on('close', () => void this.close());
    }

    private receive(chunk: Buffer): void {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      while (!this.closed) {
        if (!this.started) {
          if (this.buffer.length < 8) return;
          const length = this.buffer.readInt32BE(0);
          if (this.buffer.length < length) return;
          const message = this.buffer.subarray(0, length);
          this.buffer = this.buffer.subarray(length);
          const code = message.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.socket.write('N');
          else if (code === CANCEL_REQUEST) this.socket.destroy();
          else {
            // the startup message: the session answers it (AuthenticationOk ... ReadyForQuery)
            this.started = true;
            this.pending.push(Buffer.from(message));
          }
          continue;
        }
        if (this.buffer.length < 5) break;
        const length = 1 + this.buffer.readInt32BE(1);
        if (this.buffer.length < length) break;
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (message[0] === 0x58) {
          // Terminate: this client is done; the session is not
          this.socket.end();
          void this.close();
          return;
        }
        this.pending.push(this.rename(message));
      }
      if (this.pending.length) void this.run();
    }

    /** The message with this connection's statement and portal names in place of the client's. */
    private rename(message: Buffer): Buffer {
      const type = String.fromCharCode(message[0]!);
      const reader = new MessageReader(message);
      switch (type) {
        case 'P': {
          const name = reader.string();
          if (name) this.statements.add(name);
          return reader.rewrite([name], (names) => names.map((n) => this.local(n)));
        }
        case 'B': {
          const portal = reader.string();
          const statement = reader.string();
          if (portal) this.portals.add(portal);
          return reader.rewrite([portal, statement], (names) => names.map((n) => this.local(n)));
        }
        case 'E':
          return reader.rewrite([reader.string()], (names) => names.map((n) => this.local(n)));
        case 'D':
        case 'C': {
          const kind = reader.byte();
          const name = reader.string();
          if (type === 'C' && name) (kind === 0x53 ? this.statements : this.portals).delete(name);
          return reader.rewrite([name], (names) => names.map((n) => this.local(n)), 1);
        }
        default:
          return message;
      }
    }

    private local(name: string): string {
      return name ? `c${this.id}_${name}` : name;
    }

    /** Sends what the client sent, in order, holding the session from its first batch to idle. */
    private async run(): Promise<void> {
      if (this.running) return;
      this.running = true;
      clearTimeout(this.idleTimer);
      try {
        while (this.pending.length && !this.closed) {
          if (!this.holding) {
            await lease.acquire(this);
            this.holding = true;
            // closed while it waited: close() cleans up and lets go
            if (this.closed) break;
          }
          const bytes = Buffer.concat(this.pending);
          this.pending = [];
          const tail = new ReadyTracker();
          batches++;
          await execute(bytes, (chunk) => {
            // a copy: the chunk is a view of PGlite's memory, reused by the next call
            const copy = Buffer.from(chunk);
            tail.see(copy);
            if (!this.closed) this.socket.write(copy);
          });
          if (tail.idle()) {
            this.holding = false;
            lease.release(this);
          }
        }
      } catch {
        // the session failed under this client: end it, so the pool opens another
        this.socket.destroy();
      } finally {
        this.running = false;
      }
      if (this.holding && !this.closed) this.watchIdle();
    }

    /** Mid-batch or in a transaction, waiting on the client: bounded once others wait. */
    private watchIdle(): void {
      this.idleTimer = setTimeout(() => {
        if (!this.holding || this.running || this.closed) return;
        if (lease.waiting > 0) this.socket.destroy();
        else this.watchIdle();
      }, idleInTransactionMs);
      this.idleTimer.unref();
    }

    /** Closes the connection and leaves the session as if it had never been here. */
    async close(): Promise<void> {
      if (this.closed) return;
      this.closed = true;
      clearTimeout(this.idleTimer);
      connections.delete(this);
      // a batch in flight finishes before the cleanup runs
      while (this.running) await new Promise((resolve) => setImmediate(resolve));
      const names = [...this.statements].map((name) => `DEALLOCATE "${this.local(name).replace(/"/g, '""')}"`);
      if (!this.holding && names.length === 0) return;
      if (!this.holding) {
        await lease.acquire(this);
        this.holding = true;
      }
      try {
        // a Sync ends a half-sent batch (and an error's skip-to-Sync); ROLLBACK a transaction
        await execute(SYNC, () => {});
        if (db.isInTransaction()) await db.exec('ROLLBACK');
        for (const statement of names) await db.exec(statement).catch(() => {});
      } catch {
        // the session is gone with the server
      } finally {
        this.holding = false;
        lease.release(this);
      }
    }

    destroy(): void {
      this.socket.destroy();
    }
  }

  const server: Server = createServer((socket) => {
    if (connections.size >= maxConnections) {
      socket.end(errorResponse('53300', `sorry, too many clients already (at most ${maxConnections})`));
      return;
    }
    connections.add(new Connection(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    stats: () => ({ connections: connections.size, waiting: lease.waiting, batches }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.destroy();
      await closed;
      while (connections.size) await new Promise((resolve) => setImmediate(resolve));
      await lease.drained();
    },
  };
}

/** First come, first served ownership of the one session. */
class Lease {
  private holder: object | null = null;
  private readonly queue: { owner: object; grant: () => void }[] = [];

  get waiting(): number {
    return this.queue.length;
  }

  acquire(owner: object): Promise<void> {
    if (this.holder === null) {
      this.holder = owner;
      return Promise.resolve();
    }
    return new Promise((grant) => this.queue.push({ owner, grant }));
  }

  release(owner: object): void {
    if (this.holder !== owner) return;
    const next = this.queue.shift();
    this.holder = next?.owner ?? null;
    next?.grant();
  }

  /** Resolves once nobody holds or waits for the session. */
  async drained(): Promise<void> {
    while (this.holder !== null || this.queue.length) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Reads a frontend message's fields in order, and writes it again with some strings replaced. */
class MessageReader {
  private offset = 5;
  private start = 5;

  constructor(private readonly message: Buffer) {}

  byte(): number {
    return this.message[this.offset++]!;
  }

  string(): string {
    const end = this.message.indexOf(0, this.offset);
    const value = this.message.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return value;
  }

  /**
   * The message again with the `names` just read (after `skip` leading bytes) replaced by what
   * `map` makes of them; the rest of the message is copied as it was.
   */
  rewrite(names: string[], map: (names: string[]) => string[], skip = 0): Buffer {
    const mapped = map(names);
    if (mapped.every((name, i) => name === names[i])) return this.message;
    const head = this.message.subarray(this.start, this.start + skip);
    const body = Buffer.concat([
      head,
      ...mapped.map((name) => Buffer.from(`${name}\0`, 'utf8')),
      this.message.subarray(this.offset),
    ]);
    const header = Buffer.alloc(5);
    header[0] = this.message[0]!;
    header.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([header, body]);
  }
}

/** Follows the backend's messages across chunks: is the last one ReadyForQuery, idle? */
class ReadyTracker {
  private carry: Buffer = Buffer.alloc(0);
  private lastType = 0;
  private lastStatus = 0;

  see(chunk: Uint8Array): void {
    let buffer = this.carry.length ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk);
    while (buffer.length >= 5) {
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) break;
      this.lastType = buffer[0]!;
      if (this.lastType === 0x5a) this.lastStatus = buffer[5]!;
      buffer = buffer.subarray(length);
    }
    this.carry = Buffer.from(buffer);
  }

  /** The batch ended with ReadyForQuery 'I': no transaction open, nothing half done. */
  idle(): boolean {
    return this.lastType === 0x5a && this.lastStatus === 0x49 && this.carry.length === 0;
  }
}

/** A backend ErrorResponse (severity FATAL), for a connection refused before its startup. */
function errorResponse(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const header = Buffer.alloc(5);
  header[0] = 0x45;
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}
