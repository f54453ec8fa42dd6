//! The raw host functions of the `ugc` import module (docs/ABI.md), exactly as the host exports them.
//!
//! Everything here is `unsafe` only because it is FFI; the host checks every handle and every
//! `(ptr, len)` pair. Prefer the safe wrappers in the rest of the crate.

#[link(wasm_import_module = "ugc")]
extern "C" {
    // Diagnostics.
    pub fn log(ptr: *const u8, len: usize);
    pub fn last_error(ptr: *mut u8, cap: usize) -> i32;
    // Handles and values.
    pub fn retain(h: i32) -> i32;
    pub fn release(h: i32) -> i32;
    pub fn type_of(h: i32) -> i32;
    pub fn new_int(v: i64) -> i32;
    pub fn new_float(v: f64) -> i32;
    pub fn new_bool(v: i32) -> i32;
    pub fn new_string(ptr: *const u8, len: usize) -> i32;
    pub fn new_value(ty: i32, ptr: *const u8, len: usize) -> i32;
    pub fn value_read(h: i32, ptr: *mut u8, cap: usize) -> i32;
    pub fn as_int(h: i32) -> i64;
    pub fn as_float(h: i32) -> f64;
    pub fn var_from_bytes(ptr: *const u8, len: usize) -> i32;
    pub fn var_to_bytes(h: i32, ptr: *mut u8, cap: usize) -> i32;
    // Arrays and Dictionaries.
    pub fn array_new() -> i32;
    pub fn array_len(h: i32) -> i32;
    pub fn array_get(h: i32, index: i32) -> i32;
    pub fn array_set(h: i32, index: i32, value: i32) -> i32;
    pub fn array_push(h: i32, value: i32) -> i32;
    pub fn dict_new() -> i32;
    pub fn dict_len(h: i32) -> i32;
    pub fn dict_get(h: i32, key: i32) -> i32;
    pub fn dict_set(h: i32, key: i32, value: i32) -> i32;
    pub fn dict_keys(h: i32) -> i32;
    // Objects, properties, signals.
    #[link_name = "self"]
    pub fn self_() -> i32;
    pub fn object_get(obj: i32, name_ptr: *const u8, name_len: usize) -> i32;
    pub fn object_get_value(
        obj: i32,
        name_ptr: *const u8,
        name_len: usize,
        ty: i32,
        out_ptr: *mut u8,
        out_cap: usize,
    ) -> i32;
    pub fn object_set(obj: i32, name_ptr: *const u8, name_len: usize, value: i32) -> i32;
    pub fn object_set_value(
        obj: i32,
        name_ptr: *const u8,
        name_len: usize,
        ty: i32,
        val_ptr: *const u8,
        val_len: usize,
    ) -> i32;
    /// Binds `obj.name` (type `ty`) to the value's bytes at `ptr`; `ty` 0 (NIL) unbinds.
    pub fn object_bind_value(
        obj: i32,
        name_ptr: *const u8,
        name_len: usize,
        ty: i32,
        ptr: *mut u8,
    ) -> i32;
    pub fn object_call(obj: i32, name_ptr: *const u8, name_len: usize, args: i32) -> i32;
    pub fn emit_signal(name_ptr: *const u8, name_len: usize, args: i32) -> i32;

    // Instancing.
    /// The calling node's slot in its instance: 0 under `"instancing": "node"`, `0..n` under
    /// `"shared"` (reused after a node detaches), -1 outside a node's call (the start function).
    pub fn node_slot() -> i32;
}
