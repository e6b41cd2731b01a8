// A tiny namespaced logger (STYLE §15): silent by default; LATTICE_LOG=lattice:net:* (comma-separated patterns, `*`
// wildcards) turns namespaces on. Lines go to stderr so they never mix with a command's --json output.

export interface Logger {
  readonly enabled: boolean;
  (message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  trace(message: string, ...args: unknown[]): void;
}

function patternMatches(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(name);
}

/** Whether `name` is enabled by the LATTICE_LOG setting (`-pattern` excludes). */
export function logEnabled(name: string, setting = process.env['LATTICE_LOG'] ?? ''): boolean {
  let on = false;
  for (const raw of setting.split(',')) {
    const p = raw.trim();
    if (p === '') continue;
    if (p.startsWith('-')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) on = true;
  }
  return on;
}

export function logger(name: string): Logger {
  const enabled = logEnabled(name);
  const write = (level: string, message: string, args: unknown[]): void => {
    if (!enabled) return;
    const extra = args.length ? ' ' + args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))).join(' ') : '';
    process.stderr.write(`${new Date().toISOString()} ${name}${level} ${message}${extra}\n`);
  };
  const log = ((message: string, ...args: unknown[]) => write('', message, args)) as Logger;
  Object.defineProperty(log, 'enabled', { value: enabled });
  log.error = (message, ...args) => write(' error', message, args);
  log.trace = (message, ...args) => write(' trace', message, args);
  return log;
}
