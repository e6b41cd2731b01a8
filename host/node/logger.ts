// The node's namespaced logger (STYLE §15): `logger('lattice:node:sync')`, silent by default; LATTICE_LOG (comma
// list, `*` wildcards, `-pattern` excludes) turns namespaces on. Lines go to stderr so --json output stays clean.
// Messages take printf-style arguments (`%s`, `%d`, `%o`), formatted only when the namespace is enabled.
import { format } from 'node:util';
import { logEnabled } from '../net/log.js';

export { logEnabled };

export interface Logger {
  readonly enabled: boolean;
  readonly namespace: string;
  (message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  trace(message: string, ...args: unknown[]): void;
  /** A child logger: `logger('lattice:node').extend('rpc')` is `lattice:node:rpc`. */
  extend(suffix: string): Logger;
}

export function logger(namespace: string, setting: string = process.env['LATTICE_LOG'] ?? ''): Logger {
  const enabled = logEnabled(namespace, setting);
  const write = (level: string, message: string, args: unknown[]): void => {
    if (!enabled) return;
    process.stderr.write(`${new Date().toISOString()} ${namespace}${level} ${format(message, ...args)}\n`);
  };
  const log = ((message: string, ...args: unknown[]) => write('', message, args)) as Logger;
  Object.defineProperties(log, {
    enabled: { value: enabled },
    namespace: { value: namespace },
  });
  log.error = (message, ...args) => write(' error', message, args);
  log.trace = (message, ...args) => write(' trace', message, args);
  log.extend = (suffix) => logger(`${namespace}:${suffix}`, setting);
  return log;
}
