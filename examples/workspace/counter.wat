;; Source of counter.wasm (compiled with: wat2wasm counter.wat -o counter.wasm).
;; Its memory is bounded, as the example policy requires, but it imports
;; wasi_snapshot_preview1.path_unlink_file, which the policy denies (path_*).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 16)
  (global $count (mut i32) (i32.const 0))
  (func (export "increment") (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (global.get $count))
  (func (export "_start")
    (call $proc_exit (i32.const 0)))
)
