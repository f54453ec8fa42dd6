// Launch Debian's Chromium through playwright-core (no browser download) and watch what pages print.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launch Chromium with a fresh user-data directory (deleted on close).
 *
 * @param {object} [options]
 * @param {boolean} [options.headless=true]
 * @param {string[]} [options.args] extra Chromium flags, appended to CHROMIUM_ARGS
 * @returns {Promise<{ context: import('playwright-core').BrowserContext,
 *   newPage(): Promise<{ page: import('playwright-core').Page, log: PageLog }>, close(): Promise<void> }>}
 */
export async function launchBrowser(options = {}) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'ugc-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: options.headless ?? true,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  // A persistent context opens with one blank page; close it so every caller gets a page of its own.
  await Promise.all(context.pages().map((p) => p.close()));
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      return { page, log: new PageLog(page) };
    },
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Everything a page prints: console messages (`{ type, text }`) and uncaught page errors (`Error`s).
 * Attach it before navigating so nothing is missed.
 */
export class PageLog {
  constructor(page) {
    /** @type {{ type: string, text: string }[]} */
    this.messages = [];
    /** @type {Error[]} */
    this.pageErrors = [];
    this._waiters = new Set();
    page.on('console', (msg) => this._push({ type: msg.type(), text: msg.text() }));
    page.on('pageerror', (err) => {
      this.pageErrors.push(err);
      this._push({ type: 'pageerror', text: String(err?.stack ?? err) });
    });
    page.on('crash', () => this._push({ type: 'crash', text: 'the page crashed' }));
  }

  /** All console lines as text, in arrival order. */
  get lines() {
    return this.messages.map((m) => m.text);
  }

  /** Console lines of type `error` (Godot's printerr, push_error and script errors land here) plus page errors. */
  get errors() {
    return this.messages.filter((m) => m.type === 'error' || m.type === 'pageerror').map((m) => m.text);
  }

  /** Console lines matching `regex`. */
  grep(regex) {
    return this.lines.filter((line) => regex.test(line));
  }

  /**
   * Resolve with the first line matching `regex` (already printed or still to come); reject after
   * `timeout` ms with the last lines in the message, or at once when the page crashes or (with
   * `failOnPageError`) throws an uncaught error — no point waiting for a dead engine.
   *
   * @param {RegExp} regex
   * @param {{ timeout?: number, since?: number, failOnPageError?: boolean }} [options]
   *   `since`: only look at messages from this index on
   * @returns {Promise<string>}
   */
  waitForLine(regex, { timeout = 30_000, since = 0, failOnPageError = false } = {}) {
    const found = this.messages.slice(since).find((m) => regex.test(m.text));
    if (found) return Promise.resolve(found.text);
    const tail = () => this.lines.slice(-20).join('\n  ');
    return new Promise((resolve, reject) => {
      const waiter = {
        test: (m) => {
          const fatal = m.type === 'crash' || (failOnPageError && m.type === 'pageerror');
          if (!fatal && !regex.test(m.text)) return false;
          clearTimeout(timer);
          if (fatal)
            reject(new Error(`page failed while waiting for ${regex}: ${m.text}\nlast lines:\n  ${tail()}`));
          else resolve(m.text);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this._waiters.delete(waiter);
        reject(
          new Error(
            `timed out after ${timeout} ms waiting for a console line matching ${regex}; last lines:\n  ${tail()}`,
          ),
        );
      }, timeout);
      this._waiters.add(waiter);
    });
  }

  _push(message) {
    this.messages.push(message);
    for (const waiter of this._waiters) if (waiter.test(message)) this._waiters.delete(waiter);
  }
}
