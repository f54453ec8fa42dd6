// The runtime's ObjectBridge (`{ classOf, get, call }`, docs/JS-API.md) answered by Godot itself: every
// question is one synchronous JS → GDScript callback (`JavaScriptBridge.create_callback`, registered by the
// UgcRuntime autoload at connect time). Callbacks cannot return values (shared/GODOT-WEB.md), so the question
// and the answer travel in one holder object GDScript reads and writes:
//
//   handler('<op>\x1f<ObjectID as decimal text>\x1f<name>\x1f<args as base64>')   op: class | get | call
//   GDScript answers with one call, ugcGodot.answer(text): 'ok:' + the class name or the result's Variant
//   bytes as base64, or the refusal ('gone' | 'not_found' | 'not_allowed').
// One string in, one string out: every argument a callback receives is converted on its own (an object one
// becomes a JavaScriptObject), and every JavaScriptObject property access from GDScript is a crossing.
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
  #answer = 'gone';
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
    const answer = this.#ask('class', id, '', '');
    return answer.startsWith('ok:') ? answer.slice(3) : null;
  }

  /** A property as Variant bytes; `undefined` when there is none, `null` when the object is gone. */
  get(id, name) {
    return this.#decode('get', name, this.#ask('get', id, name, ''));
  }

  /** A query method's result as Variant bytes (same conventions as `get`). */
  call(id, name, argsBytes) {
    return this.#decode('call', name, this.#ask('call', id, name, toBase64(argsBytes)));
  }

  /** GDScript's answer to the question being asked (see the top of this file). */
  answer(text) {
    this.#answer = String(text);
  }

  #ask(op, id, name, args) {
    if (this.#handler === null) return 'gone';
    this.#answer = 'gone';
    const start = performance.now();
    this.#handler(`${op}\x1f${id}\x1f${name}\x1f${args}`);
    this.queryMs += performance.now() - start;
    this.queries++;
    return this.#answer;
  }

  #decode(op, name, answer) {
    if (answer.startsWith('ok:')) return decoder(answer.slice(3));
    switch (answer) {
      case 'gone':
        return null;
      case 'not_allowed':
        // The crate allowed it but Godot's copy of the rules did not: the guest sees a refusal.
        throw new Error(`Godot refused ${op} '${name}' (not_allowed)`);
      default:
        return undefined;
    }
  }
}

export { toBase64, decoder as fromBase64 };
