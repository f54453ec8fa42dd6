//! Hostile shapes: huge declared counts with no data behind them, deep nesting, absurd local
//! counts. Each must end in a typed error (or acceptance) promptly, without panicking or
//! allocating by the declared count.

use ugc_wasm::{inspect, validate, Policy, ViolationCode as C};

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// `HEADER` + one section `id` whose payload is `payload` (size computed).
fn section(id: u8, payload: &[u8]) -> Vec<u8> {
    let mut m = HEADER.to_vec();
    m.push(id);
    leb(&mut m, payload.len() as u64);
    m.extend_from_slice(payload);
    m
}

fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn refused_structurally(bytes: &[u8]) -> C {
    let e = validate(bytes, &Policy::default()).expect_err("hostile module accepted");
    assert!(inspect(bytes).is_err());
    let last = e.errors.last().unwrap().code;
    // (A memory section declaring 2^32-1 memories is refused as "multiple memories".)
    assert!(
        matches!(last, C::Malformed | C::Invalid | C::FeatureNotAllowed),
        "{e}"
    );
    last
}

#[test]
fn huge_declared_counts_without_data() {
    // type, import, function, table, memory, global, export, element, code, data, data count.
    for id in [1u8, 2, 3, 4, 5, 6, 7, 9, 10, 11] {
        let mut payload = Vec::new();
        leb(&mut payload, u64::from(u32::MAX));
        refused_structurally(&section(id, &payload));
    }
}

#[test]
fn section_size_past_the_end() {
    let mut m = HEADER.to_vec();
    m.push(1);
    leb(&mut m, u64::from(u32::MAX));
    m.push(0);
    assert_eq!(refused_structurally(&m), C::Malformed);
}

#[test]
fn custom_section_name_longer_than_the_module() {
    let mut payload = Vec::new();
    leb(&mut payload, 1 << 30);
    payload.extend_from_slice(b"abc");
    assert_eq!(refused_structurally(&section(0, &payload)), C::Malformed);
}

#[test]
fn absurd_local_counts() {
    // (type (func)) (func) with a body declaring 2^32-1 i32 locals twice.
    let mut m = section(1, &[1, 0x60, 0, 0]);
    m.extend_from_slice(&[3, 2, 1, 0]);
    let mut body = vec![2];
    for _ in 0..2 {
        leb(&mut body, u64::from(u32::MAX));
        body.push(0x7f);
    }
    body.push(0x0b);
    let mut code = vec![1];
    leb(&mut code, body.len() as u64);
    code.extend_from_slice(&body);
    m.push(10);
    leb(&mut m, code.len() as u64);
    m.extend_from_slice(&code);
    refused_structurally(&m);
}

#[test]
fn deep_nesting_is_fine() {
    let depth = 50_000;
    let mut wat = String::from("(module (func");
    wat.push_str(&"(block ".repeat(depth));
    wat.push_str(&")".repeat(depth));
    wat.push_str("))");
    let bytes = wat::parse_str(&wat).unwrap();
    validate(&bytes, &Policy::default()).unwrap();
}

#[test]
fn br_table_with_huge_declared_targets() {
    // (func (block (br_table <2^32-1 targets, truncated>)))
    let mut m = section(1, &[1, 0x60, 0, 0]);
    m.extend_from_slice(&[3, 2, 1, 0]);
    let mut body = vec![0, 0x02, 0x40, 0x41, 0x00, 0x0e];
    leb(&mut body, u64::from(u32::MAX));
    body.extend_from_slice(&[0, 0x0b, 0x0b]);
    let mut code = vec![1];
    leb(&mut code, body.len() as u64);
    code.extend_from_slice(&body);
    m.push(10);
    leb(&mut m, code.len() as u64);
    m.extend_from_slice(&code);
    refused_structurally(&m);
}
