;; A small WASI program: prints "Hello, Wasm Warden!" to stdout.
;; It also imports path_open, which the workspace policy denies, and declares a memory
;; without a maximum, which the policy requires: both are reported by Wasm Warden.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; iovec at 0: { buf = 16, len = 20 }
  (data (i32.const 16) "Hello, Wasm Warden!\n")

  (func $main (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 20))
    (drop
      (call $fd_write
        (i32.const 1)   ;; stdout
        (i32.const 0)   ;; iovs
        (i32.const 1)   ;; iovs_len
        (i32.const 8))) ;; where the number of bytes written goes
  )
)
