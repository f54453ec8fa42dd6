// The playground page: picks a module (file, drop or example), validates it against the chosen policy,
// shows the report and the bytes, and hands it to the script or WASI runner. Each part is its own module.

import { createRuntime } from '../../dist/ugc-wasm.js';
import { HexView } from './hex-view.js';
import { policyChoices } from './policies.js';
import { renderReport } from './report.js';
import { ScriptRunner } from './runner.js';
import { WasiRunner } from './wasi-runner.js';
import { readManifest, readSections } from './wasm-sections.js';

const $ = (id) => document.getElementById(id);
const EXAMPLES_URL = new URL('../../dist/examples/', import.meta.url);

function setStatus(state, text) {
  $('status').dataset.state = state;
  $('status').textContent = text;
}

/** WASI programs import from `wasi_snapshot_preview1`; everything else is treated as a script. */
function kindOf(report, layout) {
  if (report) return report.imports.some((i) => i.module === 'wasi_snapshot_preview1') ? 'wasi' : 'script';
  return layout.customs.some((c) => c.name === 'ugc_abi') ? 'script' : null;
}

async function sha256(bytes) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  return [...new Uint8Array(await subtle.digest('SHA-256', bytes))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

async function main() {
  let rt;
  let choices;
  try {
    rt = await createRuntime();
    choices = policyChoices();
  } catch (error) {
    setStatus('error', `Could not load the runtime: ${error.message}`);
    return;
  }

  // One runtime per policy: load() validates with the runtime's own policy. Created on first use.
  const runtimes = new Map([['defaults', Promise.resolve(rt)]]);
  const runtimeFor = (choice) => {
    if (!runtimes.has(choice.id)) runtimes.set(choice.id, createRuntime({ policy: choice.policy }));
    return runtimes.get(choice.id);
  };

  const hex = new HexView($('hex-view'));
  const scriptRunner = new ScriptRunner(runtimeFor);
  // WASI programs run under the `wasi` profile; a memory cap is a profile override, so one runtime per cap.
  const wasiRuntimes = new Map([[null, Promise.resolve(rt)]]);
  const wasiRuntimeFor = (pages) => {
    if (!wasiRuntimes.has(pages))
      wasiRuntimes.set(pages, createRuntime({ wasiPolicy: { max_memory_pages: pages } }));
    return wasiRuntimes.get(pages);
  };
  const wasiRunner = new WasiRunner(wasiRuntimeFor);
  let current = null; // { token, name, bytes, layout, manifest, digest, preset }
  let token = 0;

  // Policy radios.
  $('policy-choices').replaceChildren(
    ...choices.map((choice, i) => {
      const label = document.createElement('label');
      const input = Object.assign(document.createElement('input'), {
        type: 'radio',
        name: 'policy',
        value: choice.id,
        checked: i === 0,
      });
      input.addEventListener('change', () => current && show());
      const text = document.createElement('span');
      text.innerHTML = `<strong></strong> <span class="hint"></span>`;
      text.querySelector('strong').textContent = choice.label;
      text.querySelector('.hint').textContent = `— ${choice.description}`;
      label.append(input, ' ', text);
      return label;
    }),
  );
  const policy = () =>
    choices.find((c) => c.id === document.querySelector('input[name="policy"]:checked').value);
  const selectPolicy = (id) => {
    document.querySelector(`input[name="policy"][value="${id}"]`).checked = true;
  };

  function onViolation(error) {
    const found = hex.highlight(error.offset);
    const section = hex.sectionName(error.offset);
    $('hex-status').textContent = found
      ? `${error.code} at offset ${error.offset} (0x${error.offset.toString(16)})${section ? `, in the ${section} section` : ''}.`
      : `Offset ${error.offset} is past the end of the module.`;
    if (matchMedia('(max-width: 70rem)').matches) $('hex').scrollIntoView({ block: 'nearest' });
  }

  /** Validates the current module with the chosen policy and refreshes the report and the runners. */
  function show() {
    const choice = policy();
    const verdict = rt.validate(current.bytes, choice.policy);
    renderReport($('report-body'), { ...current, verdict, policyLabel: choice.label }, onViolation);
    $('result').hidden = false;
    $('hex').hidden = false;
    const kind = kindOf(verdict.report, current.layout);
    $('run-script').hidden = kind !== 'script';
    $('run-wasi').hidden = kind !== 'wasi';
    if (kind === 'script') {
      scriptRunner.setModule(
        {
          token: current.token,
          bytes: current.bytes,
          report: verdict.report,
          manifest: current.manifest,
          policy: choice,
        },
        current.preset,
      );
    }
    const count = verdict.errors.length;
    setStatus('done', `Validated ${current.name}.`);
    $('hex-status').textContent =
      `${current.name}: ${verdict.ok ? 'valid' : `rejected, ${count} violation${count === 1 ? '' : 's'}`} under ${choice.label}.`;
    return kind;
  }

  async function open(name, bytes, preset) {
    setStatus('busy', `Validating ${name}…`);
    scriptRunner.dispose();
    const layout = readSections(bytes);
    current = {
      token: ++token,
      name,
      bytes,
      layout,
      manifest: readManifest(layout.customs),
      digest: await sha256(bytes),
      preset,
    };
    hex.setBytes(bytes, layout.sections);
    // A WASI program under the script policy (or a script under the WASI one) is refused for its imports
    // alone; start from the policy that fits, the user can switch to see the other verdict.
    const inspected = rt.validate(bytes, choices[2].policy).report ?? rt.validate(bytes).report;
    const kind = kindOf(inspected, layout);
    if (kind === 'wasi' && policy().id !== 'wasi') selectPolicy('wasi');
    if (kind === 'script' && policy().id === 'wasi') selectPolicy('defaults');
    show();
    if (kind === 'wasi') wasiRunner.setModule({ name, bytes }, preset);
  }

  async function openFile(file) {
    if (!file) return;
    $('example').value = '';
    $('example-description').textContent = '';
    try {
      await open(file.name, new Uint8Array(await file.arrayBuffer()));
    } catch (error) {
      setStatus('error', `${error.code ?? 'error'}: ${error.message}`);
    }
  }

  $('file').addEventListener('change', (event) => openFile(event.target.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    openFile(event.dataTransfer.files[0]);
  });

  $('goto').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('goto-offset').value.trim();
    const offset = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
    if (!current || !hex.highlight(offset)) {
      $('hex-status').textContent = `“${text}” is not an offset inside the module.`;
      return;
    }
    const section = hex.sectionName(offset);
    $('hex-status').textContent =
      `Offset ${offset} (0x${offset.toString(16)})${section ? `, in the ${section} section` : ''}.`;
  });

  // Examples (dist/examples/index.json, written by npm run build).
  let examples = [];
  try {
    const response = await fetch(new URL('index.json', EXAMPLES_URL));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    examples = await response.json();
  } catch (error) {
    $('example-description').textContent = `No examples (${error.message}): run npm run build.`;
  }
  const select = $('example');
  const groups = new Map();
  for (const example of examples) {
    if (!groups.has(example.group)) {
      const group = document.createElement('optgroup');
      group.label = example.group;
      groups.set(example.group, group);
    }
    groups.get(example.group).append(new Option(`${example.name} (${example.kind})`, example.file));
  }
  select.replaceChildren(
    new Option(examples.length ? 'Choose an example…' : 'No examples', ''),
    ...groups.values(),
  );
  select.disabled = examples.length === 0;
  select.addEventListener('change', async () => {
    const example = examples.find((e) => e.file === select.value);
    if (!example) return;
    $('example-description').textContent = example.description;
    try {
      const response = await fetch(new URL(example.file, EXAMPLES_URL));
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${example.file}`);
      await open(example.file, new Uint8Array(await response.arrayBuffer()), example.preset);
    } catch (error) {
      setStatus('error', `Could not open ${example.file}: ${error.message}`);
    }
  });

  setStatus('ready', 'Ready.');
}

/**
 * Keeps an offline copy of the playground (www/playground.sw.js): one registration for the page and one for
 * each runtime worker script (a worker is controlled by the scope of its own URL). The page works without it.
 */
async function registerOffline() {
  if (!('serviceWorker' in navigator)) return;
  const activated = (registration) =>
    new Promise((resolve) => {
      const worker = registration.installing ?? registration.waiting ?? registration.active;
      if (worker.state === 'activated') return resolve();
      worker.addEventListener('statechange', () => worker.state === 'activated' && resolve());
    });
  const url = (path) => new URL(path, import.meta.url);
  try {
    const page = await navigator.serviceWorker.register(url('../playground.sw.js'), {
      scope: url('../').pathname,
    });
    for (const worker of ['../../dist/worker.js', '../../dist/wasi/worker.js']) {
      const registration = await navigator.serviceWorker.register(url('../../dist/playground-sw.js'), {
        scope: url(worker).pathname,
      });
      await activated(registration);
    }
    await activated(page);
    (page.active ?? navigator.serviceWorker.controller)?.postMessage('refresh');
    document.documentElement.dataset.offline = 'ready';
  } catch (error) {
    document.documentElement.dataset.offline = `unavailable: ${error.message}`;
  }
}

main();
registerOffline();
