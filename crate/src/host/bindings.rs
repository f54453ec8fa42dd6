//! Property bindings (`object_bind_value`, docs/ABI.md): an object's property tied to a few bytes
//! of guest memory, sampled once per frame instead of written by a host call per frame.
//!
//! A guest that writes the same property of its node every frame (`position.x += delta`) pays a
//! host call per write, about the cost of the write itself. A binding moves that to one pass per
//! frame over every binding of the instance: the embedder copies the bound bytes out of guest
//! memory in [`BindingTable::layout`] order (one copy loop, no call per node) and hands them to
//! [`BindingTable::harvest`], which queues a write for each value that changed since the last
//! pass. Only types whose every bit pattern is a valid value can be bound (fixed-size raw layouts:
//! numbers, vectors, transforms, colours), so a harvest never meets a malformed value.
//!
//! The table is shared by the hosts of one instance (like the batch sink); each host remembers
//! which bindings it made and removes them when it goes, so a node's bindings die with the node.

use super::fxhash::FxHashMap;
use crate::variant::type_id as t;
use std::cell::RefCell;
use std::rc::Rc;

/// A binding table shared by the hosts of one instance.
pub type SharedBindings = Rc<RefCell<BindingTable>>;

/// Most bindings one host (one node's script) holds at a time.
pub const MAX_BINDINGS_PER_HOST: usize = 64;
/// Largest bound value: a Projection (16 × f32).
pub const MAX_BOUND_SIZE: usize = 64;

/// The raw size of a bindable type (see `host::raw`), or `None` when it cannot be bound: types
/// without a fixed layout, and RID (a guest must not mint resource ids).
pub fn bound_size(ty: u32) -> Option<usize> {
    Some(match ty {
        t::BOOL => 1,
        t::INT | t::FLOAT | t::VECTOR2 | t::VECTOR2I => 8,
        t::VECTOR3 | t::VECTOR3I => 12,
        t::RECT2 | t::RECT2I | t::VECTOR4 | t::VECTOR4I | t::PLANE | t::QUATERNION | t::COLOR => 16,
        t::TRANSFORM2D | t::AABB => 24,
        t::BASIS => 36,
        t::TRANSFORM3D => 48,
        t::PROJECTION => 64,
        _ => return None,
    })
}

/// One bound property of one object.
#[derive(Debug)]
struct Binding {
    object: u64,
    ty: u32,
    /// Where the value lives in guest memory (bounds-checked when bound: memories never shrink).
    ptr: u32,
    size: u8,
    /// The bytes of the value Godot has, or is about to get: the seed, then each harvested change.
    last: [u8; MAX_BOUND_SIZE],
}

impl Binding {
    fn last(&self) -> &[u8] {
        &self.last[..usize::from(self.size)]
    }
}

/// The bindings of one property name: harvested together, so their writes form one run (one
/// columnar batch entry) instead of alternating with other properties' writes.
#[derive(Debug)]
struct Group {
    property: Box<str>,
    bindings: Vec<Binding>,
}

/// Every binding of an instance, grouped by property name. The harvest layout is the groups'
/// bindings in order; it changes only when bindings are made or removed, which bumps
/// [`BindingTable::version`].
#[derive(Debug, Default)]
pub struct BindingTable {
    groups: Vec<Group>,
    /// (group, index in group) of each object's bindings: a script binds a handful of its node's
    /// properties.
    by_object: FxHashMap<u64, Vec<(u32, u32)>>,
    /// Group index by property name.
    by_property: FxHashMap<Box<str>, u32>,
    len: usize,
    version: u64,
}

impl BindingTable {
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Changes whenever the layout does (a binding made, moved or removed).
    pub fn version(&self) -> u64 {
        self.version
    }

    fn find(&self, object: u64, property: &str) -> Option<(usize, usize)> {
        self.by_object
            .get(&object)?
            .iter()
            .map(|&(g, i)| (g as usize, i as usize))
            .find(|&(g, _)| *self.groups[g].property == *property)
    }

    fn binding(&self, object: u64, property: &str) -> Option<&Binding> {
        if self.len == 0 {
            return None;
        }
        let (g, i) = self.find(object, property)?;
        Some(&self.groups[g].bindings[i])
    }

    /// Whether `object.property` is bound.
    pub fn is_bound(&self, object: u64, property: &str) -> bool {
        self.binding(object, property).is_some()
    }

    /// The bound value's type and its bytes as of the last harvest (or the seed).
    pub fn value(&self, object: u64, property: &str) -> Option<(u32, &[u8])> {
        self.binding(object, property).map(|b| (b.ty, b.last()))
    }

    /// Binds `object.property` (type `ty`, [`bound_size`]) to guest memory at `ptr`, whose value
    /// is now `seed` (what the guest finds there); an existing binding of it moves. Returns
    /// whether the binding is new.
    pub fn bind(&mut self, object: u64, property: &str, ty: u32, ptr: u32, seed: &[u8]) -> bool {
        let mut last = [0u8; MAX_BOUND_SIZE];
        last[..seed.len()].copy_from_slice(seed);
        let binding = Binding {
            object,
            ty,
            ptr,
            // bound_size() ≤ MAX_BOUND_SIZE.
            size: seed.len() as u8,
            last,
        };
        self.version += 1;
        if let Some((g, i)) = self.find(object, property) {
            self.groups[g].bindings[i] = binding;
            return false;
        }
        let g = match self.by_property.get(property) {
            Some(&g) => g as usize,
            None => {
                self.groups.push(Group {
                    property: property.into(),
                    bindings: Vec::new(),
                });
                let g = self.groups.len() - 1;
                self.by_property.insert(property.into(), g as u32);
                g
            }
        };
        let bindings = &mut self.groups[g].bindings;
        // Far below u32::MAX: bindings are bounded per host, hosts by the instance's nodes.
        self.by_object
            .entry(object)
            .or_default()
            .push((g as u32, bindings.len() as u32));
        bindings.push(binding);
        self.len += 1;
        true
    }

    /// Removes the binding of `object.property`; returns its type and last value.
    pub fn unbind(&mut self, object: u64, property: &str) -> Option<(u32, Vec<u8>)> {
        let (g, i) = self.find(object, property)?;
        self.version += 1;
        self.len -= 1;
        self.forget(object, g, i);
        let bindings = &mut self.groups[g].bindings;
        let removed = bindings.swap_remove(i);
        // The group's last binding moved into slot i: repoint its index.
        if i < bindings.len() {
            let moved = bindings[i].object;
            let from = (g as u32, bindings.len() as u32);
            if let Some(list) = self.by_object.get_mut(&moved) {
                for at in list.iter_mut().filter(|at| **at == from) {
                    at.1 = i as u32;
                }
            }
        }
        if self.groups[g].bindings.is_empty() {
            self.drop_group(g);
        }
        Some((removed.ty, removed.last().to_vec()))
    }

    /// Removes empty group `g` (so endless distinct names cannot grow the table); the last group
    /// moves into its place.
    fn drop_group(&mut self, g: usize) {
        let gone = self.groups.swap_remove(g);
        self.by_property.remove(&gone.property);
        if g == self.groups.len() {
            return;
        }
        let from = self.groups.len() as u32;
        let moved = &self.groups[g];
        self.by_property.insert(moved.property.clone(), g as u32);
        for b in &moved.bindings {
            if let Some(list) = self.by_object.get_mut(&b.object) {
                for at in list.iter_mut().filter(|at| at.0 == from) {
                    at.0 = g as u32;
                }
            }
        }
    }

    fn forget(&mut self, object: u64, g: usize, i: usize) {
        if let Some(list) = self.by_object.get_mut(&object) {
            list.retain(|&at| at != (g as u32, i as u32));
            if list.is_empty() {
                self.by_object.remove(&object);
            }
        }
    }

    fn all(&self) -> impl Iterator<Item = &Binding> {
        self.groups.iter().flat_map(|g| g.bindings.iter())
    }

    /// `[ptr, size, ptr, size, …]` in harvest order: where [`BindingTable::harvest`] expects each
    /// value's bytes to come from.
    pub fn layout(&self) -> Vec<u32> {
        self.all()
            .flat_map(|b| [b.ptr, u32::from(b.size)])
            .collect()
    }

    /// The byte length [`BindingTable::harvest`] takes: every bound value back to back.
    pub fn harvest_len(&self) -> usize {
        self.all().map(|b| usize::from(b.size)).sum()
    }

    /// Takes every bound value's current bytes, back to back in layout order, and calls
    /// `write(object, property, ty, bytes)` for each one that changed since the last harvest,
    /// property by property (every bindable type accepts any bytes of its size, see
    /// [`bound_size`]). Returns the number of writes, or `None` (nothing written) when `bytes`
    /// has the wrong length for the layout.
    pub fn harvest(
        &mut self,
        bytes: &[u8],
        mut write: impl FnMut(u64, &str, u32, &[u8]),
    ) -> Option<usize> {
        if bytes.len() != self.harvest_len() {
            return None;
        }
        let mut at = 0;
        let mut writes = 0;
        for group in &mut self.groups {
            for b in &mut group.bindings {
                let size = usize::from(b.size);
                let now = &bytes[at..at + size];
                at += size;
                if now == b.last() {
                    continue;
                }
                b.last[..size].copy_from_slice(now);
                write(b.object, &group.property, b.ty, now);
                writes += 1;
            }
        }
        Some(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant::{Variant, Vector3};

    fn v3(x: f32) -> Vec<u8> {
        [x, 0.0, 0.0].iter().flat_map(|f| f.to_le_bytes()).collect()
    }

    #[test]
    fn only_changed_values_are_written_in_layout_order() {
        let mut table = BindingTable::default();
        assert!(table.bind(7, "position", t::VECTOR3, 100, &v3(0.0)));
        assert!(table.bind(8, "position", t::VECTOR3, 112, &v3(0.0)));
        assert_eq!(table.layout(), vec![100, 12, 112, 12]);
        let mut writes = Vec::new();
        let bytes = [v3(0.0), v3(2.5)].concat();
        let n = table.harvest(&bytes, |o, p, ty, raw| {
            let v = crate::host::raw::from_raw(ty as i32, raw)
                .unwrap()
                .export()
                .unwrap();
            writes.push((o, p.to_owned(), v))
        });
        assert_eq!(n, Some(1));
        let expected = Variant::Vector3(Vector3 {
            x: 2.5,
            y: 0.0,
            z: 0.0,
        });
        assert_eq!(writes, vec![(8, "position".to_owned(), expected)]);
        // Unchanged since the last harvest: nothing.
        assert_eq!(
            table.harvest(&bytes, |_, _, _, _| panic!("no change")),
            Some(0)
        );
        // A wrong length is refused whole.
        assert_eq!(
            table.harvest(&bytes[1..], |_, _, _, _| panic!("refused")),
            None
        );
    }

    #[test]
    fn unbinding_keeps_the_index_of_the_moved_entry() {
        let mut table = BindingTable::default();
        table.bind(1, "position", t::VECTOR3, 0, &v3(1.0));
        table.bind(2, "position", t::VECTOR3, 12, &v3(2.0));
        table.bind(3, "visible", t::BOOL, 24, &[1]);
        let before = table.version();
        assert_eq!(table.unbind(1, "position"), Some((t::VECTOR3, v3(1.0))));
        assert!(table.version() > before);
        assert_eq!(table.value(3, "visible"), Some((t::BOOL, &[1u8][..])));
        assert_eq!(table.layout(), vec![12, 12, 24, 1], "grouped by property");
        assert_eq!(table.unbind(3, "visible"), Some((t::BOOL, vec![1])));
        assert_eq!(
            table.value(2, "position").map(|(ty, _)| ty),
            Some(t::VECTOR3)
        );
        assert!(!table.is_bound(1, "position"));
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn the_layout_groups_bindings_by_property() {
        let mut table = BindingTable::default();
        table.bind(1, "position", t::VECTOR3, 0, &v3(0.0));
        table.bind(1, "visible", t::BOOL, 12, &[0]);
        table.bind(2, "position", t::VECTOR3, 16, &v3(0.0));
        table.bind(2, "visible", t::BOOL, 28, &[0]);
        assert_eq!(table.layout(), vec![0, 12, 16, 12, 12, 1, 28, 1]);
        let mut order = Vec::new();
        let bytes = [v3(1.0), v3(1.0), vec![1, 1]].concat();
        table.harvest(&bytes, |o, p, _, _| order.push((o, p.to_owned())));
        let expected = [
            (1, "position"),
            (2, "position"),
            (1, "visible"),
            (2, "visible"),
        ];
        assert_eq!(order, expected.map(|(o, p)| (o, p.to_owned())));
        // Removing from the middle of a group keeps every other binding findable.
        table.unbind(1, "position");
        assert_eq!(
            table.value(2, "position").map(|(ty, _)| ty),
            Some(t::VECTOR3)
        );
        assert_eq!(table.value(1, "visible"), Some((t::BOOL, &[1u8][..])));
        // Emptying a group drops it; the group moved into its place stays findable.
        table.unbind(2, "position");
        assert_eq!(table.groups.len(), 1);
        assert_eq!(table.value(2, "visible"), Some((t::BOOL, &[1u8][..])));
        assert!(table.bind(3, "position", t::VECTOR3, 40, &v3(0.0)));
        assert_eq!(table.layout(), vec![12, 1, 28, 1, 40, 12]);
    }

    #[test]
    fn distinct_names_do_not_grow_the_table() {
        let mut table = BindingTable::default();
        for i in 0..1000 {
            let name = format!("blend_shapes/{i}");
            table.bind(1, &name, t::FLOAT, 0, &[0; 8]);
            table.unbind(1, &name);
        }
        assert!(
            table.groups.is_empty() && table.by_property.is_empty() && table.by_object.is_empty()
        );
    }

    #[test]
    fn rebinding_moves_the_binding() {
        let mut table = BindingTable::default();
        assert!(table.bind(1, "position", t::VECTOR3, 0, &v3(1.0)));
        assert!(!table.bind(1, "position", t::VECTOR3, 40, &v3(3.0)));
        assert_eq!(table.layout(), vec![40, 12]);
    }

    #[test]
    fn only_fixed_layout_types_bind() {
        assert_eq!(bound_size(t::VECTOR3), Some(12));
        assert_eq!(bound_size(t::PROJECTION), Some(MAX_BOUND_SIZE));
        for ty in [
            t::NIL,
            t::STRING,
            t::RID,
            t::OBJECT,
            t::ARRAY,
            t::PACKED_BYTE_ARRAY,
        ] {
            assert_eq!(bound_size(ty), None, "type {ty}");
        }
    }
}
