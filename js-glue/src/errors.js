// Typed errors: every failure the runtime reports is a UgcError with a stable snake_case `code`.
// Errors cross the worker boundary as plain objects (toWire/fromWire) and are rebuilt on the other side.

/** The stable error codes. Callers switch on these, never on messages. */
export const ERROR_CODES = Object.freeze([
  'validation',
  'fuel_exhausted',
  'timeout',
  'trap',
  'stack_overflow',
  'memory_limit',
  'bad_pointer',
  'faulted',
  'disposed',
  'unknown_export',
  'bad_argument',
  'load_failed',
  'abi_error',
  'reentrant',
]);

export class UgcError extends Error {
  /**
   * @param {string} code one of ERROR_CODES
   * @param {string} message
   * @param {object} [details] extra fields copied onto the error (export, trap, errors, cause…)
   */
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UgcError';
    this.code = code;
    for (const [key, value] of Object.entries(details)) {
      if (key !== 'cause') this[key] = value;
    }
  }
}

/** A module the validator refused; `.errors` is the validator's list of `{ code, message, offset }`. */
export class ValidationError extends UgcError {
  constructor(errors, report) {
    const first = errors[0];
    const where = first && first.offset != null ? ` at offset ${first.offset}` : '';
    super('validation', first ? `${first.code}: ${first.message}${where}` : 'module rejected', {
      errors,
      report,
    });
    this.name = 'ValidationError';
  }
}

// Fields that survive a trip through postMessage; everything else is dropped.
const WIRE_FIELDS = ['export', 'trap', 'errors', 'fault', 'reason'];

export function toWire(error) {
  const wire = { code: error.code ?? 'trap', message: error.message };
  for (const key of WIRE_FIELDS) if (error[key] !== undefined) wire[key] = error[key];
  return wire;
}

export function fromWire(wire) {
  if (wire.code === 'validation') return new ValidationError(wire.errors ?? [], undefined);
  const { code, message, ...details } = wire;
  return new UgcError(code, message, details);
}
