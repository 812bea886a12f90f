;; SYNTAX TEST "source.wat" "wast script commands"
(module $M1 definition binary "\00asm" "\01\00\00\00")
;; <~------ keyword.declaration.module.wat
;;          ^^^^^^^^^^ storage.modifier.module-kind.wat
;;                     ^^^^^^ storage.modifier.module-kind.wat
;;                                         ^^^ string.quoted.double.wat constant.character.escape.wat
(module instance $I $M1) (module quote "(func i32.add)")
;;      ^^^^^^^^ storage.modifier.module-kind.wat
;;                               ^^^^^ storage.modifier.module-kind.wat
;;                                            ^^^^^^^ string.quoted.double.wat - support.function.instruction.numeric.wat
(register "M" $I) (invoke $I "f" (i32.const 1)) (get "g")
;; <~-------- keyword.other.command.wat
;;                 ^^^^^^ keyword.other.command.wat
;;                                               ^^^ keyword.other.command.wat
(assert_return (invoke "f" (f32.const 0)) (f32.const nan:canonical) (either (i32.const 1) (i32.const 2)))
;; <~------------- keyword.control.assertion.wat
;;                                                   ^^^^^^^^^^^^^ constant.numeric.float.special.wat
;;                                                                   ^^^^^^ keyword.other.command.wat
(assert_return (invoke "r") (ref.extern 1) (ref.null func) (ref.func) (ref.host 2) (ref.struct) (ref.array) (ref.i31))
;;                           ^^^^^^^^^^ support.function.result.wat
;;                                          ^^^^^^^^ support.function.instruction.reference.wat
;;                                                   ^^^^ storage.type.heap.wat
;;                                                          ^^^^^^^^ support.function.instruction.reference.wat
;;                                                                     ^^^^^^^^ support.function.result.wat
;;                                                                                  ^^^^^^^^^^ support.function.result.wat
;;                                                                                               ^^^^^^^^^ support.function.result.wat
;;                                                                                                           ^^^^^^^ support.function.instruction.reference.wat
(assert_return (invoke "v") (v128.const f32x4 nan:arithmetic 0 -inf 0x1p2))
;;                           ^^^^^^^^^^ support.function.instruction.simd.wat
;;                                      ^^^^^ storage.type.vector-shape.wat
;;                                            ^^^^^^^^^^^^^^ constant.numeric.float.special.wat
;;                                                             ^^^^ constant.numeric.float.special.wat
;;                                                                  ^^^^^ constant.numeric.float.hexadecimal.wat
(assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
;; <~----------- keyword.control.assertion.wat
;;                                        ^^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.wat
(assert_exhaustion (invoke "loop") "call stack exhausted") (assert_exception (invoke "throw"))
;; <~----------------- keyword.control.assertion.wat
;;                                                          ^^^^^^^^^^^^^^^^ keyword.control.assertion.wat
(assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")
;; <~---------------- keyword.control.assertion.wat
;;                               ^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.wat - keyword.declaration.func.wat constant.numeric.integer.hexadecimal.wat
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
;; <~-------------- keyword.control.assertion.wat
;;                       ^^^^ keyword.declaration.func.wat
;;                                          ^^^^^^^^^ support.function.instruction.numeric.wat
(assert_unlinkable (module (import "M" "x" (memory 1))) "incompatible import type")
;; <~----------------- keyword.control.assertion.wat
;;                          ^^^^^^ keyword.declaration.import.wat
(thread $T (shared (module $Mem)) (wait $T)) (script $S (input "a.wast") (output "b.wast"))
;; <~------ keyword.other.command.wat
;;                                 ^^^^ keyword.other.command.wat
;;                                            ^^^^^^ keyword.other.command.wat
;;                                                       ^^^^^ keyword.other.command.wat
;;                                                                        ^^^^^^ keyword.other.command.wat
(assert_nothing_real) (asserts) (registered)
;; <~------------------- keyword.control.assertion.wat
;;                     ^^^^^^^ - keyword.control.assertion.wat
;;                               ^^^^^^^^^^ - keyword.other.command.wat
