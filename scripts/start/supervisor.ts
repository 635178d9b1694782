// npm start's supervisor: spawns the services with their output prefixed, starts a service again
// when it stops if told to (start:scaled: every instance and subgraph), stops everything when any
// other one does (npm start), and stops them all gently (SIGTERM, then SIGKILL after 10 s) on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { serviceCommand } from '@supergraph-lab/stack/processes';
import { waitReady } from '@supergraph-lab/testing';
import { formatLogLine, prefixOf, say } from './output.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KILL_AFTER_MS = 10_000;

/** A process the supervisor runs. */
export interface Spawnable {
  name: string;
  colour: number;
  /** A script under the repository, run with tsx, or a command and its arguments. */
  entry?: string;
  command?: [string, ...string[]];
  /** Its working folder (the repository's root unless told). */
  cwd?: string;
  /**
   * Started again when it stops: `balanced`, an instance the other one covers meanwhile; `alone`,
   * a single instance (a subgraph) whose callers get errors until it is back.
   */
  restart?: 'balanced' | 'alone';
  /** An IPC channel to it (the lab asks through it to switch the stack's front: start.ts). */
  ipc?: boolean;
}

export class Supervisor {
  private readonly children: ChildProcess[] = [];
  private readonly closed = new Set<ChildProcess>();
  /** Each child's service name (a restarted one's too). */
  private readonly names = new Map<ChildProcess, string>();
  /** Children stopped on purpose while the rest runs on: neither restarted nor taken as a failure. */
  private readonly retired = new Set<ChildProcess>();
  private readonly cleanups: (() => Promise<void>)[] = [];
  stopping = false;
  /** Variables over a service's environment whenever it is started (again): start.ts's remembered settings. */
  environmentOf: (service: Spawnable) => NodeJS.ProcessEnv = () => ({});

  constructor(private readonly readyTimeoutMs: number) {}

  /** Spawns one service with its output prefixed, one line at a time. */
  spawn(service: Spawnable, env: NodeJS.ProcessEnv): ChildProcess {
    const [command, ...args] = service.command ?? serviceCommand(service.entry!);
    const child = spawn(command, args, {
      cwd: service.cwd ?? ROOT,
      env: { ...env, ...this.environmentOf(service) },
      stdio: ['ignore', 'pipe', 'pipe', ...(service.ipc ? ['ipc' as const] : [])],
    });
    const prefix = prefixOf(service.name, service.colour);
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (line) => console.log(`${prefix} ${formatLogLine(line)}`));
    child.on('exit', (code, signal) => {
      if (this.stopping || this.retired.has(child)) return;
      if (service.restart) {
        const meanwhile = service.restart === 'balanced' ? 'the other instance serves, ' : '';
        say(`${service.name} exited (${signal ?? `code ${code}`}); ${meanwhile}starting it again in 1 s`);
        setTimeout(() => {
          if (!this.stopping) this.spawn(service, env);
        }, 1000);
        return;
      }
      say(`${service.name} exited (${signal ?? `code ${code}`}); stopping everything`);
      void this.shutdown(1);
    });
    child.once('close', (code, signal) => {
      this.closed.add(child);
      if (this.stopping || this.retired.has(child)) say(`${service.name} stopped (${signal ?? `exit code ${code}`})`);
    });
    this.children.push(child);
    this.names.set(child, service.name);
    return child;
  }

  /**
   * Stops the running services named `names` as a shutdown would (SIGTERM, SIGKILL after 10 s)
   * while the others run on, neither restarting them nor stopping everything; resolves once they
   * have closed.
   */
  async retire(names: readonly string[]): Promise<void> {
    const children = this.children.filter(
      (child) => names.includes(this.names.get(child)!) && !this.closed.has(child) && !this.retired.has(child),
    );
    for (const child of children) this.retired.add(child);
    await Promise.all(children.map((child) => this.stopChild(child)));
  }

  /** SIGTERM to `child`, SIGKILL after 10 s; resolves once it has closed (its last line printed). */
  private stopChild(child: ChildProcess): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closed.has(child)) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      // 'close', not 'exit': only then has every line the service wrote been printed
      child.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    });
  }

  /** Waits for `GET /readyz` (or `probe`) to answer 200, or fails after the deadline (or once stopping). */
  ready(name: string, url: string, probe?: { path: string; init: RequestInit }): Promise<void> {
    return waitReady(url, { name, timeoutMs: this.readyTimeoutMs, stopped: () => this.stopping, probe });
  }

  /** Runs `cleanup` once every service has stopped (the embedded database). */
  onStopped(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  /** SIGTERM to every service, SIGKILL to any still there after 10 s, then exits with `code`. */
  async shutdown(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    say('stopping: SIGTERM to every service');
    await Promise.all(this.children.map((child) => this.stopChild(child)));
    for (const cleanup of this.cleanups) await cleanup();
    say('stopped');
    process.exit(code);
  }
}
