(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory 1) (table 1 externref)
  (func (param externref) (result externref) local.get 0)
  (func (param i32) (result i32) local.get 0 i32.extend8_s i32.const 1 br_table 0 0)
  (func (param f32) (result i32) local.get 0 i32.trunc_sat_f32_s)
  (data "passive"))
