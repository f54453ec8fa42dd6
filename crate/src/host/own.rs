//! A node's own recently written and seeded engine properties (`position`, …), kept by its host.
//!
//! Reads of a node's own properties must see its queued writes (and, in the browser, the values
//! the game seeded and earlier frames' writes). Keeping them next to the host, in a short list
//! scanned by name, costs far less per write than a shared map keyed by object: a script writes a
//! handful of its node's properties, every frame. Which entries are still answered is the batch
//! queue's call ([`super::batch::BatchQueue::answers`]), from the frame each was written in.

use crate::variant::Variant;

/// Most distinct properties remembered per node; past it the list is forgotten (reads then go
/// to Godot), so endless `blend_shapes/<name>` writes cannot grow it.
pub const MAX_OWN_VALUES: usize = 1024;

#[derive(Debug, Default)]
pub struct OwnValues {
    entries: Vec<(Box<str>, Variant, u64)>,
}

impl OwnValues {
    /// Remembers `value` for `name`, written in `frame` (0: seeded by the game).
    pub fn set(&mut self, name: &str, value: Variant, frame: u64) {
        if let Some(entry) = self.entries.iter_mut().find(|(n, _, _)| **n == *name) {
            entry.1 = value;
            entry.2 = frame;
            return;
        }
        if self.entries.len() >= MAX_OWN_VALUES {
            self.entries.clear();
        }
        self.entries.push((name.into(), value, frame));
    }

    /// The value remembered for `name` and the frame it was written in.
    pub fn get(&self, name: &str) -> Option<(&Variant, u64)> {
        self.entries
            .iter()
            .find(|(n, _, _)| **n == *name)
            .map(|(_, v, f)| (v, *f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_write_wins_and_the_list_is_bounded() {
        let mut own = OwnValues::default();
        own.set("position", Variant::Int(1), 3);
        own.set("position", Variant::Int(2), 4);
        assert_eq!(own.get("position"), Some((&Variant::Int(2), 4)));
        assert_eq!(own.get("rotation"), None);
        for i in 0..MAX_OWN_VALUES + 5 {
            own.set(&format!("blend_shapes/{i}"), Variant::Int(0), 5);
        }
        assert!(own.entries.len() <= MAX_OWN_VALUES);
    }
}
