/** Bad input to the command line (a missing file, not a report, an unknown option): exit code 2, no stack. */
export class InputError extends Error {
  override name = 'InputError';

  /** `usage`: the command line itself was wrong, so the usage is printed too. */
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}
