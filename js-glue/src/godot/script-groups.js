// Which guest instance runs which node (docs/GODOT-ADDON.md, "Instancing"). A module whose manifest says
// `"instancing": "shared"` gets ONE instance per module (a runtime group, `rt.loadShared`) serving all its
// nodes, driven with `group.callEach`; any other module gets one instance per node. Either way the frame loop
// sees the same thing: groups of views, each group one instance, one `takeBatch()` per group per frame.
//
// Node instancing also goes through `rt.loadShared` (a group of one view, `instancing: 'node'`), which the
// runtime allows for any module: a loaded Script's `callMethod`/`takeBatch` are asynchronous, and the frame
// crossing is not.

/** One instance and the nodes (entries) it serves. */
export class Group {
  constructor(key, shared) {
    this.key = key;
    this.shared = shared;
    /** The runtime group once loaded (or the load error). */
    this.handle = null;
    this.error = null;
    this.loading = null;
    this.entries = new Set();
    /** Views whose `_process` runs this frame: rebuilt only when membership or readiness changes. */
    this.processViews = [];
    this.physicsViews = [];
    this.processEntries = [];
    this.dirty = true;
    this.fault = null;
    /** Some entry waits for `_enter_tree`/`_ready` (checked once per frame, not per entry). */
    this.pendingLifecycle = false;
    /** `callEach` rounds so far, for the per-script call counts in status(). */
    this.processRuns = 0;
    this.physicsRuns = 0;
  }

  rebuild() {
    this.processViews.length = 0;
    this.physicsViews.length = 0;
    this.processEntries.length = 0;
    for (const entry of this.entries) {
      if (entry.state !== 'running' || !entry.readyCalled) continue;
      if (entry.hasProcess) {
        this.processViews.push(entry.view);
        this.processEntries.push(entry);
      }
      if (entry.hasPhysics) this.physicsViews.push(entry.view);
    }
    this.dirty = false;
  }
}

export class ScriptGroups {
  #rt;
  #options;
  /** module key (shared) or `key#scriptId` (node) -> Group */
  groups = new Map();

  /** @param {object} rt the runtime; @param {object} options load options for every group (fuel, bridge…) */
  constructor(rt, options) {
    this.#rt = rt;
    this.#options = options;
  }

  /** The group an entry joins: shared modules by module key, everything else alone. */
  groupFor(entry, moduleKey, shared) {
    const key = shared ? `shared:${moduleKey}` : `node:${moduleKey}#${entry.id}`;
    let group = this.groups.get(key);
    if (!group) {
      group = new Group(key, shared);
      this.groups.set(key, group);
    }
    return group;
  }

  /**
   * Loads the group's instance once (every entry waiting on it shares the promise).
   * Resolves with the runtime group; rejects with the load's UgcError.
   */
  load(group, bytes, onLog) {
    // `instancing` tells the runtime's memory budget which share a group of one counts against (docs/JS-API.md
    // "Memory budget"): node-instanced scripts past theirs are refused, never a shared group.
    const instancing = group.shared ? 'shared' : 'node';
    group.loading ??= this.#rt.loadShared(bytes, { ...this.#options, onLog, instancing }).then(
      (handle) => {
        group.handle = handle;
        return handle;
      },
      (error) => {
        group.error = error;
        throw error;
      },
    );
    return group.loading;
  }

  /** Drops an entry; a group left empty is disposed (its instance freed). */
  leave(entry) {
    const group = entry.group;
    if (!group) return;
    entry.group = null;
    try {
      entry.view?.dispose();
    } catch {
      // a faulted or disposed view: nothing left to free
    }
    entry.view = null;
    group.entries.delete(entry);
    group.dirty = true;
    if (group.entries.size === 0) {
      this.groups.delete(group.key);
      if (group.handle) group.handle.dispose();
      else
        group.loading?.then(
          (h) => h.dispose(),
          () => {},
        );
    }
  }
}
