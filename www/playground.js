// The playground: validates a picked or dropped .wasm module with rt.validate and shows the verdict,
// the validator's errors and the module report.

import { createRuntime } from '../dist/ugc-wasm.js';

const $ = (id) => document.getElementById(id);
const status = $('status');

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function show(name, verdict) {
  $('result').hidden = false;
  const verdictEl = $('verdict');
  verdictEl.dataset.ok = String(verdict.ok);
  verdictEl.textContent = `${name}: ${verdict.ok ? 'valid' : 'rejected'}`;
  const list = $('errors');
  list.replaceChildren(
    ...verdict.errors.map((error) => {
      const item = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = error.code;
      const where = error.offset == null ? '' : ` (offset ${error.offset})`;
      item.append(code, ` ${error.message}${where}`);
      return item;
    }),
  );
  $('report').textContent = verdict.report ? JSON.stringify(verdict.report, null, 2) : '(no report)';
}

async function main() {
  let rt;
  try {
    rt = await createRuntime();
  } catch (error) {
    setStatus('error', `Could not load the runtime: ${error.message}`);
    return;
  }
  setStatus('ready', 'Ready.');

  async function check(file) {
    if (!file) return;
    setStatus('busy', `Validating ${file.name}…`);
    try {
      show(file.name, rt.validate(new Uint8Array(await file.arrayBuffer())));
      setStatus('done', `Validated ${file.name}.`);
    } catch (error) {
      setStatus('error', `${error.code ?? 'error'}: ${error.message}`);
    }
  }

  $('file').addEventListener('change', (event) => check(event.target.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    check(event.dataTransfer.files[0]);
  });
}

main();
