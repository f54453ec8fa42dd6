// Optional persistence of a preopened directory to IndexedDB, keyed by a
// service name, so a service's state survives page reloads:
//   const files = await loadPersisted('avatar-service', '/data');
//   const r = await runWasi(bytes, { preopens: ['/data'], files: { ...files, ...inputs } });
//   await savePersisted('avatar-service', '/data', r.files);
// runWasi/spawnWasi do this themselves with `persist: { service, path }`.

const DB_NAME = 'ugc-wasi';
const STORE = 'preopens';

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const keyOf = (service, path) => `${service}\u0000${normalizeDir(path)}`;
const normalizeDir = (path) => (path.endsWith('/') ? path : path + '/');

/** The files saved for `service` under the directory `path` (the runWasi `files` format), or {}. */
export async function loadPersisted(service, path) {
  const saved = await withStore('readonly', (store) => store.get(keyOf(service, path)));
  return saved ?? {};
}

/** Saves the part of a `files` tree (as runWasi returns it) under `path`, replacing what was saved. */
export async function savePersisted(service, path, files) {
  const dir = normalizeDir(path);
  const subset = {};
  for (const [p, content] of Object.entries(files)) {
    if (p.startsWith(dir) && p !== dir) subset[p] = content;
  }
  await withStore('readwrite', (store) => store.put(subset, keyOf(service, path)));
  return subset;
}

/** Forgets what was saved for `service` under `path`. */
export async function clearPersisted(service, path) {
  await withStore('readwrite', (store) => store.delete(keyOf(service, path)));
}
