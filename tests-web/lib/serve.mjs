// A tiny static HTTP server for browser tests: serves a root directory, extra directories mounted under URL
// prefixes, and in-memory files (generated pages, PCKs, modules). Binds 127.0.0.1 on a random port.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** MIME types by extension. `application/wasm` matters: WebAssembly.instantiateStreaming refuses anything else. */
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.wat': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.pck': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

export function mimeType(filePath) {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Start a static server.
 *
 * @param {object} [options]
 * @param {string} [options.root] directory served at `/` (optional)
 * @param {Record<string, string>} [options.mounts] URL prefix (e.g. `/pkg/`) -> directory
 * @param {Record<string, string | Uint8Array | {file: string}>} [options.files] exact URL path -> contents,
 *   or `{ file }` to serve one file from disk under another name. Checked before mounts and root.
 * @param {boolean} [options.crossOriginIsolated] send COOP/COEP headers (enables SharedArrayBuffer)
 * @param {Record<string, string>} [options.headers] extra headers on every response
 * @returns {Promise<{ url: string, port: number, setFile(urlPath: string, body: string | Uint8Array | {file: string}): void,
 *   deleteFile(urlPath: string): void, requests: string[], close(): Promise<void> }>}
 *   `url` has no trailing slash (e.g. `http://127.0.0.1:41234`).
 */
export async function serveStatic(options = {}) {
  const files = new Map(Object.entries(options.files ?? {}));
  const mounts = Object.entries(options.mounts ?? {})
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, path.resolve(dir)])
    // Longest prefix first so `/a/b/` wins over `/a/`.
    .sort((a, b) => b[0].length - a[0].length);
  if (options.root) mounts.push(['/', path.resolve(options.root)]);

  const baseHeaders = { 'Cache-Control': 'no-store', ...(options.headers ?? {}) };
  if (options.crossOriginIsolated) {
    baseHeaders['Cross-Origin-Opener-Policy'] = 'same-origin';
    baseHeaders['Cross-Origin-Embedder-Policy'] = 'require-corp';
    baseHeaders['Cross-Origin-Resource-Policy'] = 'same-origin';
  }
  const requests = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err?.message ?? err));
    });
  });

  async function handle(req, res) {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(res, 400, 'bad url');
    }
    requests.push(urlPath);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    if (urlPath.endsWith('/')) urlPath += 'index.html';

    const entry = files.get(urlPath);
    if (entry !== undefined) {
      if (typeof entry === 'object' && !(entry instanceof Uint8Array))
        return sendFile(req, res, entry.file, urlPath);
      const body =
        typeof entry === 'string'
          ? Buffer.from(entry)
          : Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
      res.writeHead(200, {
        ...baseHeaders,
        'Content-Type': mimeType(urlPath),
        'Content-Length': body.length,
      });
      return res.end(req.method === 'HEAD' ? undefined : body);
    }

    for (const [prefix, dir] of mounts) {
      if (!urlPath.startsWith(prefix)) continue;
      const filePath = path.resolve(dir, `.${urlPath.slice(prefix.length - 1)}`);
      // Never serve outside the mounted directory (`..` or encoded slashes in the URL).
      if (filePath !== dir && !filePath.startsWith(dir + path.sep)) return send(res, 403, 'forbidden');
      return sendFile(req, res, filePath, urlPath);
    }
    return send(res, 404, 'not found');
  }

  async function sendFile(req, res, filePath, urlPath) {
    let info;
    try {
      info = await stat(filePath);
    } catch {
      return send(res, 404, 'not found');
    }
    if (!info.isFile()) return send(res, 404, 'not found');
    res.writeHead(200, { ...baseHeaders, 'Content-Type': mimeType(urlPath), 'Content-Length': info.size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(filePath).pipe(res);
  }

  function send(res, status, text) {
    res.writeHead(status, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setFile(urlPath, body) {
      files.set(urlPath, body);
    },
    deleteFile(urlPath) {
      files.delete(urlPath);
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
