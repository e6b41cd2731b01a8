// The CLI's error contract: `--json` prints {"error":{"code":"E_…","message":"…",…details}} on stdout, otherwise
// `error[E_…]: message` goes to stderr; both exit 1. Whatever the parser refuses becomes E_BAD_ARGUMENT.
import { LatticeError, asLatticeError } from '../host/model/errors.js';
import { toJson } from './output.js';

/** Whether an error is oclif's request to exit (this.exit), which is no failure to report. */
export function isExitRequest(e: unknown): boolean {
  return e instanceof Error && e.constructor?.name === 'ExitError';
}

/** An error from parsing the command line (missing or unexpected arguments, unknown or invalid flags). */
export function badArguments(e: unknown): LatticeError {
  if (e instanceof LatticeError) return e;
  // oclif's messages span lines (a list of missing args, a hint to see --help): keep what is wrong, on one line.
  const text = e instanceof Error ? e.message : String(e);
  // A list under a heading ("Missing 2 required args:" then "store   what it is" per line) reads as
  // "Missing 2 required args: store (what it is), method (…)".
  const lines = text
    .split('\n')
    .filter((line) => !/^See more help with/.test(line.trim()))
    .map((line) => line.trim().replace(/^The following errors? occurred:\s*/, ''))
    .filter((line) => line !== '')
    .map((line, i) => (i === 0 ? line : line.replace(/^(\S+)\s{2,}(\S.*)$/, '$1 ($2)')));
  const message = lines.reduce((out, line, i) => (i === 0 ? line : `${out}${out.endsWith(':') ? ' ' : ', '}${line}`), '');
  return new LatticeError('E_BAD_ARGUMENT', message || 'bad arguments', {}, { cause: e });
}

export function errorJson(err: LatticeError): string {
  return toJson({ error: err.toJSON() });
}

/** Prints the error in the contract's format and sets exit code 1. Anything untyped is reported as E_HOST_FAULT. */
export function reportError(e: unknown, json: boolean): LatticeError {
  const err = asLatticeError(e);
  if (json) process.stdout.write(errorJson(err) + '\n');
  else process.stderr.write(`error[${err.code}]: ${err.message}\n`);
  process.exitCode = 1;
  if (process.env['LATTICE_LOG'] && err.stack) process.stderr.write(err.stack + '\n');
  return err;
}
