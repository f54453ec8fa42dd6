// Child processes for `npm run bench`: output streamed to the console (the benches' own tables stay
// visible), failure as an exception naming the command.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Runs `cmd args` (stdout and stderr inherited); resolves when it exits 0, rejects otherwise. */
export function run(cmd, args, { cwd, env = {} } = {}) {
  const line = [cmd, ...args].join(' ');
  process.stderr.write(`\n$ ${line}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${line} exited with ${signal ?? code}`)),
    );
  });
}

export const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
