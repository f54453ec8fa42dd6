// Runs a script module's exports: loads it in the chosen isolation with a fuel and memory budget (once per
// module and settings), calls an export with typed arguments (or a manifest method with JSON arguments), and
// shows the result or the typed error with fuel used, memory used and time per call.

import { formatResult, formatValue, parseArg } from './values.js';

const $ = (id) => document.getElementById(id);

/** Error fields worth showing beyond code and message (docs/JS-API.md "Errors"). */
function errorDetails(error) {
  const details = [];
  if (error.export) details.push(`export ${error.export}`);
  if (error.trap) details.push(`trap kind ${error.trap}`);
  if (error.reason) details.push(`reason ${error.reason}`);
  if (error.fault) details.push(`earlier fault ${error.fault}`);
  return details;
}

export class ScriptRunner {
  #runtimeFor;
  #module = null; // { token, bytes, report, manifest, policy }
  #script = null;
  #scriptKey = '';
  #log = [];
  #busy = false;

  /** `runtimeFor(policyChoice)` → Promise<runtime> created with that policy. */
  constructor(runtimeFor) {
    this.#runtimeFor = runtimeFor;
    $('export').addEventListener('change', () => this.#renderArgs());
    $('script-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.run();
    });
    $('reset-script').addEventListener('click', () => this.#resetScript());
    for (const input of document.querySelectorAll('input[name="isolation"]'))
      input.addEventListener('change', () => this.#syncIsolation());
    this.#syncIsolation();
  }

  /**
   * A new module (or policy): lists its callable exports and manifest methods. `module`: `{ token, bytes,
   * report, manifest, policy: { id, label, policy } }`; `preset`: `{ export | method, args }` from the examples
   * index.
   */
  setModule(module, preset) {
    this.#module = module;
    this.#dropScript();
    const select = $('export');
    const exports = (module.report?.exports ?? []).filter(
      (e) => e.kind === 'func' && e.signature && !e.name.startsWith('__ugc_'),
    );
    const methods = module.manifest?.manifest?.methods ?? [];
    const groups = [];
    if (exports.length) {
      const group = document.createElement('optgroup');
      group.label = 'Exports (raw wasm call)';
      for (const e of exports) group.append(new Option(e.name, `export:${e.name}`));
      groups.push(group);
    }
    if (methods.length) {
      const group = document.createElement('optgroup');
      group.label = 'Declared methods (callMethod, Variant arguments)';
      for (const m of methods) group.append(new Option(`${m.name}()`, `method:${m.name}`));
      groups.push(group);
    }
    select.replaceChildren(...groups);
    if (preset?.export && exports.some((e) => e.name === preset.export))
      select.value = `export:${preset.export}`;
    if (preset?.method && methods.some((m) => m.name === preset.method))
      select.value = `method:${preset.method}`;
    const policy = module.policy.policy;
    $('fuel').placeholder = `${policy.fuel_per_call} (policy)`;
    $('memory-pages').placeholder = `${policy.max_memory_pages} (policy)`;
    $('memory-pages').max = String(policy.max_memory_pages);
    $('timeout').placeholder = `${policy.timeout_ms} (policy)`;
    $('run').disabled = groups.length === 0;
    $('run-note').textContent =
      groups.length === 0
        ? 'This module exports no function to call.'
        : `Loaded with the ${module.policy.label} policy; a refused module fails to load with “validation”.`;
    const chosen = this.#selected()?.name;
    this.#renderArgs(chosen && (preset?.export ?? preset?.method) === chosen ? preset.args : undefined);
    this.#show(null);
  }

  #selected() {
    const value = $('export').value;
    if (!value) return null;
    const [kind, name] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
    if (kind === 'method') {
      return { kind, name, method: this.#module.manifest.manifest.methods.find((m) => m.name === name) };
    }
    const entry = this.#module.report.exports.find((e) => e.name === name);
    return { kind, name, signature: entry.signature };
  }

  #renderArgs(values) {
    const fieldset = $('args');
    const selected = this.#selected();
    const parts = [Object.assign(document.createElement('legend'), { textContent: 'Arguments' })];
    if (!selected) {
      $('export-signature').textContent = '';
    } else if (selected.kind === 'method') {
      const declared = (selected.method.args ?? []).map((a) => `${a.name}: ${a.type}`).join(', ');
      $('export-signature').textContent = `(${declared}) → ${selected.method.return ?? 'nil'}`;
      const label = Object.assign(document.createElement('label'), {
        htmlFor: 'method-args',
        textContent: 'Arguments as a JSON array',
      });
      const input = Object.assign(document.createElement('input'), {
        id: 'method-args',
        value: values ? JSON.stringify(values) : '[]',
        spellcheck: false,
      });
      parts.push(label, input);
    } else {
      const { params, results } = selected.signature;
      $('export-signature').textContent = `(${params.join(', ')}) → (${results.join(', ')})`;
      if (params.length === 0)
        parts.push(Object.assign(document.createElement('p'), { textContent: 'None.' }));
      params.forEach((type, i) => {
        const id = `arg-${i}`;
        const label = Object.assign(document.createElement('label'), {
          htmlFor: id,
          textContent: `#${i + 1} (${type})`,
        });
        const input = Object.assign(document.createElement('input'), {
          id,
          value: values?.[i] ?? (type.startsWith('f') ? '0.5' : '0'),
          spellcheck: false,
        });
        input.dataset.type = type;
        input.setAttribute('inputmode', type.startsWith('i') ? 'numeric' : 'decimal');
        parts.push(label, input);
      });
    }
    fieldset.replaceChildren(...parts);
  }

  #syncIsolation() {
    const worker = document.querySelector('input[name="isolation"]:checked')?.value === 'worker';
    $('timeout').disabled = !worker;
  }

  #options() {
    const isolation = document.querySelector('input[name="isolation"]:checked').value;
    const options = { isolation, onLog: (message) => this.#appendLog(message) };
    const fuel = $('fuel').value.trim();
    if (fuel) options.fuel = BigInt(fuel);
    const pages = $('memory-pages').value.trim();
    if (pages) options.maxMemoryPages = Number(pages);
    const timeout = $('timeout').value.trim();
    if (timeout && isolation === 'worker') options.timeoutMs = Number(timeout);
    return options;
  }

  #dropScript() {
    this.#script?.dispose();
    this.#script = null;
    this.#scriptKey = '';
  }

  async #resetScript() {
    if (!this.#script) return;
    await this.#script.reset();
    this.#show({ state: 'ok', text: 'Instance reset: fresh memory and globals.' });
  }

  #appendLog(message) {
    this.#log.push(message);
    if (this.#log.length > 200) this.#log.shift();
    $('run-log').textContent = this.#log.join('\n');
  }

  /** The loaded script for the current module and settings, loading it when they changed. */
  async #ensureScript(options) {
    const { fuel, maxMemoryPages, timeoutMs, isolation } = options;
    const key = [this.#module.token, this.#module.policy.id, isolation, fuel, maxMemoryPages, timeoutMs].join(
      '|',
    );
    if (this.#script && this.#scriptKey === key) {
      // A faulted script refuses every call (`faulted`) until reset: the playground resets it for the next run.
      if (this.#script.stats().faulted) await this.#script.reset();
      return this.#script;
    }
    this.#dropScript();
    const rt = await this.#runtimeFor(this.#module.policy);
    this.#script = await rt.load(this.#module.bytes, options);
    this.#scriptKey = key;
    return this.#script;
  }

  async run() {
    if (this.#busy || !this.#module) return;
    const selected = this.#selected();
    if (!selected) return;
    this.#busy = true;
    $('run').disabled = true;
    this.#show({ state: 'busy', text: `Running ${selected.name}…` });
    try {
      let args;
      let options;
      let repeat;
      try {
        if (selected.kind === 'method') {
          args = JSON.parse($('method-args').value);
          if (!Array.isArray(args)) throw new Error('method arguments must be a JSON array');
        } else {
          args = [...$('args').querySelectorAll('input')].map((input, i) =>
            parseArg(input.value, input.dataset.type, `argument #${i + 1}`),
          );
        }
        options = this.#options();
        repeat = Number($('repeat').value || 1);
        if (!(Number.isInteger(repeat) && repeat >= 1 && repeat <= 1_000_000))
          throw new Error('repeat must be an integer from 1 to 1000000');
      } catch (error) {
        this.#show({ state: 'error', code: 'bad_argument', text: error.message });
        return;
      }
      let script;
      try {
        script = await this.#ensureScript(options);
      } catch (error) {
        this.#showError(error, 'Load failed');
        return;
      }
      const call =
        selected.kind === 'method'
          ? () => script.callMethod(selected.name, ...args)
          : () => script.call(selected.name, ...args);
      let result;
      let calls = 0;
      const started = performance.now();
      try {
        while (calls < repeat) {
          result = await call();
          calls++;
        }
      } catch (error) {
        const elapsed = performance.now() - started;
        this.#showError(
          error,
          repeat === 1
            ? `${selected.name} failed`
            : `${selected.name} failed on call ${calls + 1} of ${repeat}`,
        );
        this.#showStats(script, calls + 1, elapsed);
        return;
      }
      const elapsed = performance.now() - started;
      const text =
        selected.kind === 'method' ? formatValue(result) : formatResult(result, selected.signature.results);
      const shownArgs =
        selected.kind === 'method' ? formatValue(args, 0).slice(1, -1) : args.map(String).join(', ');
      this.#show({ state: 'ok', text: `${selected.name}(${shownArgs}) → ${text}` });
      this.#showStats(script, calls, elapsed);
    } finally {
      this.#busy = false;
      $('run').disabled = false;
    }
  }

  #showError(error, context) {
    const extra = [...errorDetails(error)];
    if (error.errors?.length) extra.push(error.errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.#show({
      state: 'error',
      code: error.code ?? 'error',
      text: `${context}: ${error.message}${extra.length ? ` (${extra.join(', ')})` : ''}`,
    });
  }

  #showStats(script, calls, elapsedMs) {
    let stats;
    try {
      stats = script.stats();
    } catch {
      return;
    }
    const perCall = elapsedMs / Math.max(1, calls);
    // performance.now() is coarse (0.1 ms unless the page is cross-origin isolated): repeats make it readable.
    const time =
      elapsedMs === 0
        ? 'below the clock’s resolution (raise Repeat)'
        : perCall >= 1
          ? `${perCall.toFixed(2)} ms`
          : `${(perCall * 1000).toFixed(2)} µs`;
    $('stat-fuel').textContent = `${stats.fuelUsed ?? '—'} of ${stats.fuelLimit ?? '—'}`;
    $('stat-memory').textContent = stats.memoryBytes
      ? `${stats.memoryBytes} bytes (${stats.memoryBytes / 65536} pages)`
      : 'none (the module has no memory)';
    $('stat-time').textContent =
      `${time} (${calls} call${calls === 1 ? '' : 's'} in ${elapsedMs.toFixed(2)} ms)`;
    $('stat-isolation').textContent =
      `${stats.isolation}${stats.faulted ? ', faulted (reset on the next run)' : ''}`;
    $('run-stats').hidden = false;
  }

  /** `{ state: 'ok' | 'error' | 'busy', text, code? }` or null to clear. */
  #show(outcome) {
    const result = $('run-result');
    if (!outcome) {
      result.replaceChildren();
      delete result.dataset.state;
      delete result.dataset.code;
      $('run-stats').hidden = true;
      return;
    }
    result.dataset.state = outcome.state;
    if (outcome.code) result.dataset.code = outcome.code;
    else delete result.dataset.code;
    const parts = [];
    if (outcome.code) {
      const code = document.createElement('code');
      code.className = 'error-code';
      code.textContent = outcome.code;
      parts.push(code, ' ');
    }
    parts.push(outcome.text);
    result.replaceChildren(...parts);
    if (outcome.state === 'busy') $('run-stats').hidden = true;
  }

  /** Frees the loaded script (module changed or page hidden). */
  dispose() {
    this.#dropScript();
  }
}
