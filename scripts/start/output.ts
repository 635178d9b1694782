// npm start's output: its own lines, and each service's lines prefixed by its name (pino's JSON
// lines shortened to `level message`).

const tty = Boolean(process.stdout.isTTY);

/** `text` in an ANSI colour when the output is a terminal. */
export const paint = (colour: number, text: string) => (tty ? `\x1b[${colour}m${text}\x1b[0m` : text);

/** One line of npm start's own. */
export const say = (line: string) => console.log(`${paint(1, '[start]  ')} ${line}`);

/** The prefix of a service's lines: its name, in its colour. */
export const prefixOf = (name: string, colour: number) => paint(colour, `[${name}]`.padEnd(9));

/** pino's JSON lines as `level message`, anything else as it is. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as {
      level?: number;
      msg?: string;
      err?: { message?: string };
      status?: number;
      method?: string;
      url?: string;
      reason?: string;
    };
    const level =
      { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[entry.level ?? 30] ?? 'info';
    // a failed request: which one, and why (packages/http, server.ts)
    const request =
      entry.status && entry.url ? ` ${[entry.status, entry.method, entry.url].filter(Boolean).join(' ')}` : '';
    const why = entry.err?.message ?? entry.reason;
    return `${level.padEnd(5)} ${entry.msg ?? ''}${request}${why ? `: ${why}` : ''}`;
  } catch {
    return line;
  }
}
