// What the figures were measured on: recorded with every report (these machines are shared and noisy, so the
// load average before and after the run says how much to trust the absolute numbers).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { CHROMIUM_PATH } from '../../tests-web/lib/browser.mjs';

/** A command's first output line, or `unknown (reason)` when it cannot run. */
function firstLine(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0];
  } catch (err) {
    return `unknown (${err.code ?? err.message})`;
  }
}

function osName() {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return `${pretty ? pretty[1] : os.type()}, kernel ${os.release()} (${os.arch()})`;
  } catch {
    return `${os.type()} ${os.release()} (${os.arch()})`;
  }
}

/** Static facts about the machine and toolchain, plus the load average now. */
export function machineInfo(repoRoot) {
  const cpus = os.cpus();
  const dirty = firstLine('git', ['status', '--porcelain', '--untracked-files=no'], repoRoot);
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName(),
    chromium: firstLine(CHROMIUM_PATH, ['--version']),
    node: process.version,
    rustc: firstLine('rustc', ['-V']),
    commit:
      firstLine('git', ['rev-parse', '--short=12', 'HEAD'], repoRoot) +
      (dirty && !dirty.startsWith('unknown') ? ' (with uncommitted changes)' : ''),
    date: new Date().toISOString(),
    loadBefore: os.loadavg(),
  };
}

export const loadAverage = () => os.loadavg();
