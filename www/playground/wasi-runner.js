// Runs a WASI program with rt.spawnWasi: args, env, stdin (sent at start, then typed live), text files; shows
// stdout/stderr as they stream, the exit code or typed error, and the files the program left behind.

import { formatBytes } from './report.js';
import { lines } from './values.js';

const $ = (id) => document.getElementById(id);

function fileRow(path = '', content = '') {
  const row = document.createElement('div');
  row.className = 'file-row';
  const n = (fileRow.count = (fileRow.count ?? 0) + 1);
  row.innerHTML = `
    <label for="file-path-${n}">Path</label>
    <input id="file-path-${n}" class="file-path" spellcheck="false" />
    <label for="file-content-${n}">Contents</label>
    <textarea id="file-content-${n}" class="file-content" rows="3" spellcheck="false"></textarea>
    <button type="button" class="file-remove">Remove this file</button>`;
  row.querySelector('.file-path').value = path;
  row.querySelector('.file-content').value = content;
  row.querySelector('.file-remove').addEventListener('click', () => {
    row.remove();
    $('wasi-add-file').focus();
  });
  return row;
}

export class WasiRunner {
  #runtimeFor;
  #module = null; // { bytes, name }
  #process = null;
  #starting = false; // between Run and spawn (a runtime may still be created)
  #urls = [];

  /** `runtimeFor(maxMemoryPages | null)` → Promise<runtime> whose `wasi` profile has that memory cap. */
  constructor(runtimeFor) {
    this.#runtimeFor = runtimeFor;
    $('wasi-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.run();
    });
    $('wasi-add-file').addEventListener('click', () => {
      const row = fileRow('/data/new.txt', '');
      $('wasi-file-list').append(row);
      row.querySelector('.file-path').focus();
    });
    $('wasi-live').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#send();
    });
    $('wasi-eof').addEventListener('click', () => this.#closeStdin());
    $('wasi-kill').addEventListener('click', () => this.#process?.kill());
    this.#setRunning(false);
  }

  /** A new WASI module; `preset` (`{ args, env, stdin, files }`) pre-fills the form. */
  setModule(module, preset = {}) {
    this.#module = module;
    this.#process?.kill();
    $('wasi-args').value = (preset.args ?? [module.name.replace(/\.wasm$/, '')]).join('\n');
    $('wasi-env').value = preset.env ?? '';
    $('wasi-stdin').value = preset.stdin ?? '';
    $('wasi-file-list').replaceChildren(
      ...Object.entries(preset.files ?? {}).map(([path, content]) => fileRow(path, content)),
    );
    $('wasi-stdout').textContent = '';
    $('wasi-stderr').textContent = '';
    $('wasi-files-out').replaceChildren();
    this.#status('idle', 'Not run yet.');
  }

  #options() {
    const args = lines($('wasi-args').value);
    const env = {};
    for (const line of lines($('wasi-env').value)) {
      if (!line.trim()) continue;
      const eq = line.indexOf('=');
      if (eq <= 0) throw new Error(`environment line “${line}” is not NAME=value`);
      env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    const files = {};
    for (const row of $('wasi-file-list').querySelectorAll('.file-row')) {
      const path = row.querySelector('.file-path').value.trim();
      if (!path.startsWith('/')) throw new Error(`file path “${path}” must be absolute (start with /)`);
      files[path] = row.querySelector('.file-content').value;
    }
    const options = { args, env, files, stdin: $('wasi-stdin').value };
    const fuel = $('wasi-fuel').value.trim();
    if (fuel) options.fuel = BigInt(fuel);
    const pages = $('wasi-memory-pages').value.trim();
    if (pages && !(Number.isInteger(Number(pages)) && Number(pages) > 0))
      throw new Error(`memory cap must be a positive number of pages, got “${pages}”`);
    const timeout = $('wasi-timeout').value.trim();
    if (timeout) options.timeoutMs = Number(timeout);
    return { options, maxMemoryPages: pages ? Number(pages) : null };
  }

  #status(state, text, code) {
    const status = $('wasi-status');
    status.dataset.state = state;
    if (code) status.dataset.code = code;
    else delete status.dataset.code;
    const parts = [];
    if (code)
      parts.push(
        Object.assign(document.createElement('code'), { className: 'error-code', textContent: code }),
        ' ',
      );
    parts.push(text);
    status.replaceChildren(...parts);
  }

  #setRunning(running) {
    $('wasi-run').disabled = running;
    for (const id of ['wasi-line', 'wasi-send', 'wasi-eof', 'wasi-kill']) $(id).disabled = !running;
  }

  #send() {
    const input = $('wasi-line');
    try {
      this.#process?.write(`${input.value}\n`);
      input.value = '';
    } catch (error) {
      this.#status('running', `stdin: ${error.code ?? 'error'}: ${error.message}`);
    }
  }

  #closeStdin() {
    try {
      this.#process?.closeStdin();
    } catch {
      // Closing twice or after the end is harmless here.
    }
    $('wasi-line').disabled = true;
    $('wasi-send').disabled = true;
    $('wasi-eof').disabled = true;
  }

  async #pump(stream, target) {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      target.append(decoder.decode(value, { stream: true }));
      target.scrollTop = target.scrollHeight;
    }
    target.append(decoder.decode());
  }

  async run() {
    if (!this.#module || this.#process || this.#starting) return;
    let options;
    let maxMemoryPages;
    try {
      ({ options, maxMemoryPages } = this.#options());
    } catch (error) {
      this.#status('error', error.message, 'invalid_option');
      return;
    }
    const inputFiles = options.files;
    $('wasi-stdout').textContent = '';
    $('wasi-stderr').textContent = '';
    $('wasi-files-out').replaceChildren();
    for (const url of this.#urls) URL.revokeObjectURL(url);
    this.#urls = [];
    delete $('wasi-status').dataset.exitCode;
    const started = performance.now();
    let process;
    this.#starting = true;
    $('wasi-run').disabled = true;
    try {
      process = (await this.#runtimeFor(maxMemoryPages)).spawnWasi(this.#module.bytes, options);
    } catch (error) {
      const detail = error.errors?.length ? ` (${error.errors[0].code}: ${error.errors[0].message})` : '';
      this.#status('error', `${error.message}${detail}`, error.code ?? 'error');
      $('wasi-run').disabled = false;
      return;
    } finally {
      this.#starting = false;
    }
    this.#process = process;
    this.#setRunning(true);
    const keepOpen = $('wasi-keep-stdin').checked && process.stdinMode !== 'none';
    if (!keepOpen) this.#closeStdin();
    this.#status('running', keepOpen ? 'Running; stdin is open: send lines below.' : 'Running…');
    const pumps = Promise.all([
      this.#pump(process.stdout, $('wasi-stdout')),
      this.#pump(process.stderr, $('wasi-stderr')),
    ]);
    try {
      const result = await process.result;
      await pumps;
      const ms = (performance.now() - started).toFixed(0);
      this.#status(
        result.exitCode === 0 ? 'exited' : 'failed',
        `Exited with code ${result.exitCode} after ${ms} ms.`,
      );
      $('wasi-status').dataset.exitCode = String(result.exitCode);
      this.#showFiles(result.files, inputFiles);
    } catch (error) {
      await pumps.catch(() => {});
      this.#status('error', error.message, error.code ?? 'error');
      delete $('wasi-status').dataset.exitCode;
    } finally {
      this.#process = null;
      this.#setRunning(false);
    }
  }

  #showFiles(files, inputFiles) {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const rows = Object.entries(files)
      .filter(([path, bytes]) => bytes !== null && !path.endsWith('/'))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, bytes]) => {
        const given = inputFiles[path];
        const state =
          given === undefined ? 'new' : given === new TextDecoder().decode(bytes) ? 'unchanged' : 'changed';
        let preview;
        try {
          preview = decoder.decode(bytes.subarray(0, 2000));
        } catch {
          preview = '(binary)';
        }
        const url = URL.createObjectURL(new Blob([bytes]));
        this.#urls.push(url);
        const tr = document.createElement('tr');
        tr.dataset.path = path;
        const link = Object.assign(document.createElement('a'), {
          href: url,
          download: path.split('/').pop(),
          textContent: 'download',
        });
        link.setAttribute('aria-label', `download ${path}`);
        for (const cell of [path, state, formatBytes(bytes.length)]) {
          tr.append(Object.assign(document.createElement('td'), { textContent: cell }));
        }
        const pre = Object.assign(document.createElement('pre'), {
          textContent: preview,
          className: 'preview',
        });
        const td = document.createElement('td');
        td.append(pre);
        tr.append(td, Object.assign(document.createElement('td'), {}));
        tr.lastChild.append(link);
        return tr;
      });
    if (rows.length === 0) {
      $('wasi-files-out').replaceChildren(
        Object.assign(document.createElement('p'), { textContent: 'No files.' }),
      );
      return;
    }
    const table = document.createElement('table');
    table.className = 'files-out';
    table.innerHTML =
      '<caption>Files after the run</caption><thead><tr><th scope="col">path</th><th scope="col">state</th>' +
      '<th scope="col">size</th><th scope="col">contents</th><th scope="col"></th></tr></thead>';
    const tbody = document.createElement('tbody');
    tbody.append(...rows);
    table.append(tbody);
    $('wasi-files-out').replaceChildren(table);
  }
}
