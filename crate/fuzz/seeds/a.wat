(module
  (import "ugc" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1 2)
  (table 2 funcref)
  (global $g (mut i32) (i32.const 0))
  (func (export "_ready") i32.const 0 i32.const 0 call $log)
  (func (export "_process") (param f64) (local i32 v128)
    (block (loop local.get 1 i32.const 1 i32.add local.tee 1 i32.const 10 i32.lt_s br_if 0))
    local.get 2 local.get 2 i32x4.add drop
    i32.const 0 i32.const 0 i32.const 4 memory.copy)
  (func (result i32 i64) i32.const 1 i64.const 2)
  (elem (i32.const 0) 0 1)
  (data (i32.const 0) "hello")
  (@custom "ugc_abi" "\01\00\00\00"))
