// Error types shared by the WASI host, the worker and the main-thread API.

/** Thrown inside the host to return an errno to the guest; never reaches the guest as an exception. */
export class WasiErrno extends Error {
  constructor(errno) {
    super(`wasi errno ${errno}`);
    this.errno = errno;
  }
}

/** Thrown by proc_exit to unwind the guest's stack; caught by `start()`. */
export class WasiExit extends Error {
  constructor(code) {
    super(`proc_exit(${code})`);
    this.exitCode = code;
  }
}

/** A typed failure of a WASI run, as the public API reports it (`.code` is stable snake_case). */
export class WasiRunError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.name = 'WasiRunError';
    this.code = code;
    Object.assign(this, extra);
  }
}
