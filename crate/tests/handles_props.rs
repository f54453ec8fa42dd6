//! The handle table against a plain HashMap model, plus the edge cases the model cannot express.
// Native only: uses crates (wasmi, proptest, wasm-smith) or files that the wasm32 build of the tests lacks.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use ugc_wasm::handles::{Handle, HandleTable, MAX_SLOTS};

#[derive(Clone, Debug)]
enum Op {
    Insert(u32),
    /// Operate on the n-th handle ever issued (live or not), modulo how many there are.
    Get(usize),
    GetMut(usize, u32),
    Retain(usize),
    Release(usize),
    /// A guest-made-up number.
    Forged(u32),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u32>().prop_map(Op::Insert),
        3 => any::<usize>().prop_map(Op::Get),
        1 => (any::<usize>(), any::<u32>()).prop_map(|(i, v)| Op::GetMut(i, v)),
        2 => any::<usize>().prop_map(Op::Retain),
        4 => any::<usize>().prop_map(Op::Release),
        2 => any::<u32>().prop_map(Op::Forged),
        1 => Just(Op::Clear),
    ]
}

/// The model: live handles with their value and count; every handle that was live once and is not
/// any more must answer `stale_handle` forever.
#[derive(Default)]
struct Model {
    live: HashMap<u32, (u32, u32)>,
    dead: HashSet<u32>,
    issued: Vec<u32>,
}

impl Model {
    fn check_get(&self, t: &HandleTable<u32>, h: u32) {
        let got = t.get(Handle(h));
        if let Some((v, _)) = self.live.get(&h) {
            assert_eq!(got, Ok(v));
        } else if self.dead.contains(&h) {
            assert_eq!(got.unwrap_err().code, "stale_handle", "handle {h:#x}");
        } else {
            // A number never issued: the table may recognise it as an older generation of a slot
            // (indistinguishable from a real stale handle), otherwise it is bad.
            let e = got.unwrap_err();
            assert!(e.code == "bad_handle" || e.code == "stale_handle", "{e}");
            assert_eq!(e.handle, h);
        }
    }
}

fn run(ops: Vec<Op>, limit: usize, key: u64) {
    let mut t = HandleTable::with_limit_and_key(limit, key);
    let mut m = Model::default();
    for op in ops {
        let pick = |i: usize, m: &Model| {
            m.issued
                .get(i % m.issued.len().max(1))
                .copied()
                .unwrap_or(0)
        };
        match op {
            Op::Insert(v) => match t.insert(v) {
                Ok(h) => {
                    assert!(m.live.len() < limit);
                    assert_ne!(h.0, 0, "0 is never a valid handle");
                    assert!(
                        !m.live.contains_key(&h.0) && !m.dead.contains(&h.0),
                        "handle reissued"
                    );
                    m.live.insert(h.0, (v, 1));
                    m.issued.push(h.0);
                }
                Err(e) => {
                    assert_eq!(e.code, "handle_limit");
                    assert_eq!(m.live.len(), limit);
                }
            },
            Op::Get(i) => m.check_get(&t, pick(i, &m)),
            Op::GetMut(i, v) => {
                let h = pick(i, &m);
                match (t.get_mut(Handle(h)), m.live.get_mut(&h)) {
                    (Ok(slot), Some(entry)) => {
                        *slot = v;
                        entry.0 = v;
                    }
                    (Err(_), None) => {}
                    (got, want) => panic!("get_mut({h:#x}) = {got:?}, model {want:?}"),
                }
                m.check_get(&t, h);
            }
            Op::Retain(i) => {
                let h = pick(i, &m);
                match (t.retain(Handle(h)), m.live.get_mut(&h)) {
                    (Ok(n), Some(entry)) => {
                        entry.1 += 1;
                        assert_eq!(n, entry.1);
                    }
                    (Err(_), None) => {}
                    (got, want) => panic!("retain({h:#x}) = {got:?}, model {want:?}"),
                }
            }
            Op::Release(i) => {
                let h = pick(i, &m);
                match (t.release(Handle(h)), m.live.get_mut(&h)) {
                    (Ok(freed), Some(entry)) => {
                        entry.1 -= 1;
                        if entry.1 == 0 {
                            assert_eq!(freed, Some(entry.0));
                            m.live.remove(&h);
                            m.dead.insert(h);
                        } else {
                            assert_eq!(freed, None);
                        }
                    }
                    (Err(e), None) => {
                        let want = if h == 0 || !m.dead.contains(&h) {
                            "bad_handle"
                        } else {
                            "stale_handle"
                        };
                        assert_eq!(e.code, want);
                    }
                    (got, want) => panic!("release({h:#x}) = {got:?}, model {want:?}"),
                }
            }
            Op::Forged(h) => m.check_get(&t, h),
            Op::Clear => {
                let mut freed = t.clear();
                let mut want: Vec<u32> = m.live.values().map(|(v, _)| *v).collect();
                freed.sort_unstable();
                want.sort_unstable();
                assert_eq!(freed, want);
                m.dead.extend(m.live.drain().map(|(h, _)| h));
            }
        }
        assert_eq!(t.len(), m.live.len());
        let mut listed: Vec<(u32, u32)> = t.iter().map(|(h, v)| (h.0, *v)).collect();
        let mut want: Vec<(u32, u32)> = m.live.iter().map(|(h, (v, _))| (*h, *v)).collect();
        listed.sort_unstable();
        want.sort_unstable();
        assert_eq!(listed, want);
    }
    // Every handle ever issued still answers correctly at the end.
    for &h in &m.issued {
        m.check_get(&t, h);
    }
    m.check_get(&t, 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn table_agrees_with_model(
        ops in prop::collection::vec(op(), 1..400),
        limit in 1usize..40,
        key in any::<u64>(),
    ) {
        run(ops, limit, key);
    }

    #[test]
    fn forged_handles_never_panic_and_are_typed(hs in prop::collection::vec(any::<u32>(), 1..200), key in any::<u64>()) {
        let mut t = HandleTable::with_limit_and_key(64, key);
        let real: Vec<Handle> = (0..32u32).map(|v| t.insert(v).unwrap()).collect();
        for h in hs {
            let h = Handle(h);
            match t.get(h) {
                Ok(v) => prop_assert_eq!(real[*v as usize], h),
                Err(e) => prop_assert!(e.code == "bad_handle" || e.code == "stale_handle"),
            }
            let _ = t.retain(h);
            let _ = t.release(h);
        }
    }
}

#[test]
fn null_is_bad() {
    let mut t = HandleTable::new();
    t.insert(1u8).unwrap();
    let e = t.get(Handle::NULL).unwrap_err();
    assert_eq!((e.code, e.handle), ("bad_handle", 0));
    assert_eq!(t.release(Handle(0)).unwrap_err().code, "bad_handle");
}

#[test]
fn refcount_frees_at_zero_and_then_stale() {
    let mut t = HandleTable::new();
    let h = t.insert("node").unwrap();
    assert_eq!(t.retain(h), Ok(2));
    assert_eq!(t.ref_count(h), Ok(2));
    assert_eq!(t.release(h), Ok(None));
    assert_eq!(t.release(h), Ok(Some("node")));
    assert!(t.is_empty());
    for e in [
        t.get(h).unwrap_err(),
        t.retain(h).unwrap_err(),
        t.release(h).unwrap_err(),
    ] {
        assert_eq!(e.code, "stale_handle");
        assert_eq!(e.handle, h.0);
    }
    // The slot is reused with a new generation; the old handle stays stale.
    let h2 = t.insert("other").unwrap();
    assert_ne!(h, h2);
    assert_eq!(t.get(h2), Ok(&"other"));
    assert_eq!(t.get(h).unwrap_err().code, "stale_handle");
}

#[test]
fn limit_is_enforced_and_recovers() {
    let mut t = HandleTable::with_limit(3);
    let hs: Vec<Handle> = (0..3).map(|i| t.insert(i).unwrap()).collect();
    let e = t.insert(3).unwrap_err();
    assert_eq!(e.code, "handle_limit");
    assert!(e.message.contains('3'));
    t.release(hs[1]).unwrap();
    assert!(t.insert(4).is_ok());
}

#[test]
fn limit_is_clamped_to_the_slot_space() {
    assert_eq!(HandleTable::<()>::with_limit(usize::MAX).limit(), MAX_SLOTS);
    assert_eq!(HandleTable::<()>::with_limit(0).limit(), 1);
}

#[test]
fn clear_releases_everything_and_old_handles_stay_stale() {
    let mut t = HandleTable::new();
    let hs: Vec<Handle> = (0..10).map(|i| t.insert(i).unwrap()).collect();
    t.retain(hs[3]).unwrap();
    let mut freed = t.clear();
    freed.sort_unstable();
    assert_eq!(freed, (0..10).collect::<Vec<_>>());
    assert!(t.is_empty());
    let fresh: Vec<Handle> = (0..10).map(|i| t.insert(100 + i).unwrap()).collect();
    for h in &hs {
        assert_eq!(t.get(*h).unwrap_err().code, "stale_handle");
        assert!(!fresh.contains(h));
    }
}

#[test]
fn handles_of_one_table_mean_nothing_in_another() {
    // Two tables with different keys holding the same number of objects: the first table's handles
    // do not resolve in the second (they decode to unissued slots or generations).
    let mut a = HandleTable::with_limit_and_key(100, 0x0123_4567_89ab_cdef);
    let mut b = HandleTable::with_limit_and_key(100, 0xfedc_ba98_7654_3210);
    let ha: Vec<Handle> = (0..100).map(|i| a.insert(i).unwrap()).collect();
    let hb: Vec<Handle> = (0..100).map(|i| b.insert(i).unwrap()).collect();
    assert_ne!(ha, hb);
    let resolved = ha.iter().filter(|h| b.get(**h).is_ok()).count();
    assert_eq!(resolved, 0);
}

#[test]
fn typed_access() {
    #[derive(Debug, PartialEq)]
    enum Obj {
        Node(String),
        Texture(u32),
    }
    let mut t = HandleTable::new();
    let n = t.insert(Obj::Node("Player".into())).unwrap();
    let tex = t.insert(Obj::Texture(7)).unwrap();
    fn node(o: &Obj) -> Option<&String> {
        match o {
            Obj::Node(s) => Some(s),
            _ => None,
        }
    }
    assert_eq!(t.get_as(n, "Node", node).unwrap(), "Player");
    let e = t.get_as(tex, "Node", node).unwrap_err();
    assert_eq!((e.code, e.handle), ("wrong_type", tex.0));
    assert!(e.message.contains("Node"));
    *t.get_mut_as(n, "Node", |o| match o {
        Obj::Node(s) => Some(s),
        _ => None,
    })
    .unwrap() = "Enemy".into();
    assert_eq!(t.get(n).unwrap(), &Obj::Node("Enemy".into()));
    // A stale handle is reported as stale, not as a type mismatch.
    t.release(n).unwrap();
    assert_eq!(t.get_as(n, "Node", node).unwrap_err().code, "stale_handle");
}

#[test]
fn error_serializes_with_stable_fields() {
    let t: HandleTable<()> = HandleTable::new();
    let e = t.get(Handle(0xdead_beef)).unwrap_err();
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["code"], e.code);
    assert_eq!(json["handle"], 0xdead_beefu32);
    assert!(json["message"].is_string());
    assert!(e.to_string().starts_with(e.code));
}

#[test]
fn random_keys_differ_between_tables() {
    let mut a = HandleTable::new();
    let mut b = HandleTable::new();
    let (ha, hb) = (a.insert(()).unwrap(), b.insert(()).unwrap());
    assert_ne!(ha, hb, "two fresh tables issued the same first handle");
}
