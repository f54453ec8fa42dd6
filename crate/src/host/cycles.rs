//! Reclaiming a script's reference cycles when it is reset or disposed.
//!
//! Arrays and Dictionaries are reference counted, and a guest may make one hold itself (as
//! GDScript allows): such a cycle is never freed by counting, so a hostile script loaded and
//! disposed over and over would grow the page's memory without end. Only a container the guest
//! held a handle to can be changed, hence be part of a cycle, so the host remembers (weakly) every
//! container that entered its handle table and empties the ones still alive when it resets or
//! goes: emptying breaks every cycle through them, and counting frees the rest.

use super::value::{ArrayValue, Value};
use super::DictValue;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::{Rc, Weak};

enum Entry {
    Array(Weak<RefCell<ArrayValue>>),
    Dictionary(Weak<RefCell<DictValue>>),
}

/// The containers a script's handle table has held.
#[derive(Default)]
pub struct Containers {
    entries: Vec<Entry>,
    /// Length after the last pruning: the list is pruned of dead entries when it doubles, so it
    /// stays within twice the live containers (plus one pruning's worth).
    pruned_at: usize,
}

impl Containers {
    /// Remembers `value` if it is a container.
    pub fn note(&mut self, value: &Value) {
        let entry = match value {
            Value::Array(a) => Entry::Array(Rc::downgrade(a)),
            Value::Dictionary(d) => Entry::Dictionary(Rc::downgrade(d)),
            _ => return,
        };
        self.entries.push(entry);
        if self.entries.len() >= 2 * self.pruned_at.max(64) {
            self.entries.retain(|e| match e {
                Entry::Array(w) => w.strong_count() > 0,
                Entry::Dictionary(w) => w.strong_count() > 0,
            });
            self.pruned_at = self.entries.len();
        }
    }

    /// Empties every remembered container still alive, except those reachable from `keep` (the
    /// node's declared property values, which outlive a reset).
    pub fn clear(&mut self, keep: &[Value]) {
        let kept = reachable(keep);
        let mut freed = Vec::new();
        for entry in std::mem::take(&mut self.entries) {
            match entry {
                Entry::Array(w) => {
                    if let Some(a) = w.upgrade() {
                        if !kept.contains(&(Rc::as_ptr(&a) as usize)) {
                            if let Ok(mut a) = a.try_borrow_mut() {
                                freed.append(&mut a.items);
                            }
                        }
                    }
                }
                Entry::Dictionary(w) => {
                    if let Some(d) = w.upgrade() {
                        if !kept.contains(&(Rc::as_ptr(&d) as usize)) {
                            if let Ok(mut d) = d.try_borrow_mut() {
                                freed.extend(d.drain().into_iter().flat_map(|(k, v)| [k, v]));
                            }
                        }
                    }
                }
            }
        }
        self.pruned_at = 0;
        // Dropped here, after every container was emptied (Array and Dictionary drop
        // iteratively, so long chains do not recurse).
        drop(freed);
    }
}

/// The addresses of the containers reachable from `roots`.
fn reachable(roots: &[Value]) -> HashSet<usize> {
    let mut seen = HashSet::new();
    // Only containers are followed (cloning one is a reference; a plain value is never copied).
    let container = |v: &Value| matches!(v, Value::Array(_) | Value::Dictionary(_));
    let mut stack: Vec<Value> = roots.iter().filter(|v| container(v)).cloned().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(a) if seen.insert(Rc::as_ptr(&a) as usize) => {
                if let Ok(a) = a.try_borrow() {
                    stack.extend(a.items.iter().filter(|v| container(v)).cloned());
                }
            }
            Value::Dictionary(d) if seen.insert(Rc::as_ptr(&d) as usize) => {
                if let Ok(d) = d.try_borrow() {
                    let entries = d.iter().flat_map(|(k, v)| [k, v]);
                    stack.extend(entries.filter(|v| container(v)).cloned());
                }
            }
            _ => {}
        }
    }
    seen
}
