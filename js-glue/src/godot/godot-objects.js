// The runtime's ObjectBridge (`{ classOf, get, call }`, docs/JS-API.md) answered by Godot itself: every
// question is one synchronous JS → GDScript callback (`JavaScriptBridge.create_callback`, registered by the
// UgcRuntime autoload at connect time). Callbacks cannot return values (shared/GODOT-WEB.md), so the question
// and the answer travel in one holder object GDScript reads and writes:
//
//   holder = { op: 'class' | 'get' | 'call', id: '<ObjectID as decimal text>', name, args: '<base64>' }
//   GDScript sets holder.status ('ok' | 'gone' | 'not_found' | 'not_allowed') and holder.ret (class name, or
//   the result's Variant bytes as base64).
//
// Only reads and query calls come here (writes are in the per-frame batch), and only after the crate's
// capability rules allowed them; GDScript checks its registry and the rules again before touching the object.

const decoder = (base64) => {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
};

function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export class GodotObjects {
  #handler = null;
  #holder = { op: '', id: '', name: '', args: '', status: '', ret: '' };
  /** Round trips to GDScript and their total time (ms), for status() and the docs' cost figures. */
  queries = 0;
  queryMs = 0;

  /** The GDScript callback (a function taking the holder); null until the autoload connected. */
  setHandler(handler) {
    this.#handler = typeof handler === 'function' ? handler : null;
  }

  get connected() {
    return this.#handler !== null;
  }

  /** The class of a live object, or null when it was freed or is not in Godot's registry. */
  classOf(id) {
    const h = this.#ask('class', id, '', '');
    return h.status === 'ok' ? String(h.ret) : null;
  }

  /** A property as Variant bytes; `undefined` when there is none, `null` when the object is gone. */
  get(id, name) {
    return this.#answer(this.#ask('get', id, name, ''));
  }

  /** A query method's result as Variant bytes (same conventions as `get`). */
  call(id, name, argsBytes) {
    return this.#answer(this.#ask('call', id, name, toBase64(argsBytes)));
  }

  #ask(op, id, name, args) {
    const h = this.#holder;
    h.op = op;
    h.id = String(id);
    h.name = String(name);
    h.args = args;
    h.status = 'gone';
    h.ret = '';
    if (this.#handler === null) return h;
    const start = performance.now();
    this.#handler(h);
    this.queryMs += performance.now() - start;
    this.queries++;
    return h;
  }

  #answer(h) {
    switch (h.status) {
      case 'ok':
        return decoder(String(h.ret));
      case 'gone':
        return null;
      case 'not_allowed':
        // The crate allowed it but Godot's copy of the rules did not: the guest sees a refusal.
        throw new Error(`Godot refused ${h.op} '${h.name}' (not_allowed)`);
      default:
        return undefined;
    }
  }
}

export { toBase64, decoder as fromBase64 };
