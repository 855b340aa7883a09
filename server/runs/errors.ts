// The domain error of the compute-and-publish path (frames, estimate runs, publications, imported
// interviews, wave periods). Services throw it with a stable code and a one-line message naming the
// file, line, column, option or id at fault; the command line maps `kind` to its exit code (bad data
// 1, bad usage 2) and an HTTP layer would map it to a status — services never throw HTTP classes.

/** What went wrong, for the caller's mapping: the input's content, the request itself, a missing id, the stored state. */
export type DomainErrorKind = 'bad_data' | 'bad_usage' | 'not_found' | 'conflict';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The exit code of the command line for an error of this kind: 2 for bad usage or an unknown id, 1 otherwise. */
export function exitCodeOf(err: DomainError): 1 | 2 {
  return err.kind === 'bad_usage' || err.kind === 'not_found' ? 2 : 1;
}
