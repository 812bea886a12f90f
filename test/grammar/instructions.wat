;; SYNTAX TEST "source.wat" "instructions of every proposal"
(func $f (param i32) (result i32)
  ;; control
  (block $out (result i32) (loop $l (br_if $l (i32.const 0)) (br $out) (br_table 0 1 $out)))
;; ^^^^^ keyword.control.flow.wat
;;       ^^^^ entity.name.label.wat
;;                          ^^^^ keyword.control.flow.wat
;;                               ^^ entity.name.label.wat
;;                                   ^^^^^ keyword.control.flow.wat
;;                                         ^^ entity.name.label.wat
;;                                                            ^^ keyword.control.flow.wat
;;                                                                      ^^^^^^^^ keyword.control.flow.wat
  (if (result i32) (local.get 0) (then (unreachable)) (else (nop))) end return
;; ^^ keyword.control.flow.wat
;;                                ^^^^ keyword.control.flow.wat
;;                                      ^^^^^^^^^^^ keyword.control.flow.wat
;;                                                     ^^^^ keyword.control.flow.wat
;;                                                           ^^^ keyword.control.flow.wat
;;                                                                  ^^^ keyword.control.flow.wat
;;                                                                      ^^^^^^ keyword.control.flow.wat
  call $g call_indirect $tab (type $t) call_ref $t drop select (result i32)
;; <~~---- keyword.control.flow.wat
;;     ^^ entity.name.function.wat
;;        ^^^^^^^^^^^^^ keyword.control.flow.wat
;;                                     ^^^^^^^^ keyword.control.flow.wat
;;                                                 ^^^^ support.function.instruction.parametric.wat
;;                                                      ^^^^^^ support.function.instruction.parametric.wat
  ;; tail calls
  return_call $g return_call_indirect (type $t) return_call_ref $t
;; <~~----------- keyword.control.flow.wat
;;            ^^ entity.name.function.wat
;;               ^^^^^^^^^^^^^^^^^^^^ keyword.control.flow.wat
;;                                              ^^^^^^^^^^^^^^^ keyword.control.flow.wat
  ;; variables
  local.get 0 local.set $x local.tee $x global.get $g global.set $g
;; <~~--------- support.function.instruction.variable.wat
;;                         ^^^^^^^^^ support.function.instruction.variable.wat
;;                                                    ^^^^^^^^^^ support.function.instruction.variable.wat
  ;; memory, memory64, bulk memory
  i32.load offset=4 align=2 i64.load32_u offset=0x10 f64.store i64.store8 i32.load16_s
;; <~~-------- support.function.instruction.memory.wat
;;         ^^^^^^ variable.parameter.memarg.wat
;;               ^ keyword.operator.assignment.wat
;;                ^ constant.numeric.integer.wat
;;                  ^^^^^ variable.parameter.memarg.wat
;;                        ^ constant.numeric.integer.wat
;;                          ^^^^^^^^^^^^ support.function.instruction.memory.wat
;;                                              ^^^^ constant.numeric.integer.wat
;;                                                   ^^^^^^^^^ support.function.instruction.memory.wat
;;                                                             ^^^^^^^^^^ support.function.instruction.memory.wat
;;                                                                        ^^^^^^^^^^^^ support.function.instruction.memory.wat
  memory.size memory.grow memory.fill memory.copy $a $b memory.init $d data.drop $d i64.load $mem
;; <~~----------- support.function.instruction.memory.wat
;;                                    ^^^^^^^^^^^ support.function.instruction.memory.wat
;;                                                      ^^^^^^^^^^^ support.function.instruction.memory.wat
;;                                                                     ^^^^^^^^^ support.function.instruction.memory.wat
  table.get table.set table.size table.grow table.fill table.copy table.init elem.drop
;; <~~--------- support.function.instruction.table.wat
;;                                                                ^^^^^^^^^^ support.function.instruction.table.wat
;;                                                                           ^^^^^^^^^ support.function.instruction.table.wat
  ;; numeric
  i32.const -1 i64.add i32.clz f32.copysign f64.sqrt i32.wrap_i64 i64.extend_i32_u i32.trunc_sat_f64_s
;; <~~--------- support.function.instruction.numeric.wat
;;          ^^ constant.numeric.integer.decimal.wat
;;             ^^^^^^^ support.function.instruction.numeric.wat
;;                     ^^^^^^^ support.function.instruction.numeric.wat
;;                             ^^^^^^^^^^^^ support.function.instruction.numeric.wat
;;                                          ^^^^^^^^ support.function.instruction.numeric.wat
;;                                                   ^^^^^^^^^^^^ support.function.instruction.numeric.wat
;;                                                                ^^^^^^^^^^^^^^^^ support.function.instruction.numeric.wat
;;                                                                                 ^^^^^^^^^^^^^^^^^^^ support.function.instruction.numeric.wat
  f32.demote_f64 f64.promote_f32 f32.reinterpret_i32 i64.extend32_s i32.extend8_s f64.convert_i64_u i64.rotr
;; <~~-------------- support.function.instruction.numeric.wat
;;               ^^^^^^^^^^^^^^^ support.function.instruction.numeric.wat
;;                               ^^^^^^^^^^^^^^^^^^^ support.function.instruction.numeric.wat
;;                                                   ^^^^^^^^^^^^^^ support.function.instruction.numeric.wat
;;                                                                  ^^^^^^^^^^^^^ support.function.instruction.numeric.wat
;;                                                                                ^^^^^^^^^^^^^^^^^ support.function.instruction.numeric.wat
;;                                                                                                  ^^^^^^^^ support.function.instruction.numeric.wat
  i32.extend32_s f32.clz i64.wrap_i64 f32.shl i32.lt
;; <~~-------------- - support.function.instruction.numeric.wat
;;               ^^^^^^^ - support.function.instruction.numeric.wat
;;                       ^^^^^^^^^^^^ - support.function.instruction.numeric.wat
;;                                    ^^^^^^^ - support.function.instruction.numeric.wat
;;                                            ^^^^^^ - support.function.instruction.numeric.wat
  ;; SIMD and relaxed SIMD
  v128.const i32x4 1 2 3 4 i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 v128.load8x8_s
;; <~~---------- support.function.instruction.simd.wat
;;           ^^^^^ storage.type.vector-shape.wat
;;                         ^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                                             ^^^^^^^^^^^^^^ support.function.instruction.simd.wat
  v128.load32_lane 1 v128.store64_lane offset=8 0 i16x8.extract_lane_u 3 f64x2.replace_lane 1 v128.bitselect
;; <~~---------------- support.function.instruction.simd.wat
;;                   ^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                     ^^^^^^ variable.parameter.memarg.wat
;;                                                ^^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                                       ^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                                                            ^^^^^^^^^^^^^^ support.function.instruction.simd.wat
  i32x4.trunc_sat_f64x2_s_zero f64x2.promote_low_f32x4 i16x8.q15mulr_sat_s i32x4.dot_i16x8_s i64x2.extmul_high_i32x4_u
;; <~~---------------------------- support.function.instruction.simd.wat
;;                             ^^^^^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                     ^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                                         ^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                                                           ^^^^^^^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
  i8x16.relaxed_swizzle f32x4.relaxed_madd f64x2.relaxed_nmadd i32x4.relaxed_laneselect f32x4.relaxed_min
;; <~~--------------------- support.function.instruction.simd.wat
;;                      ^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                         ^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                             ^^^^^^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                                                      ^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
  i32x4.relaxed_trunc_f64x2_u_zero i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s
;; <~~-------------------------------- support.function.instruction.simd.wat
;;                                 ^^^^^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
;;                                                                                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ support.function.instruction.simd.wat
  i64x2.lt_u i8x16.mul f32x4.extract_lane_s v8x16.shuffle
;; <~~---------- - support.function.instruction.simd.wat
;;           ^^^^^^^^^ - support.function.instruction.simd.wat
;;                     ^^^^^^^^^^^^^^^^^^^^ - support.function.instruction.simd.wat
;;                                          ^^^^^^^^^^^^^ - support.function.instruction.simd.wat
  ;; threads / atomics
  memory.atomic.notify memory.atomic.wait32 offset=4 memory.atomic.wait64 atomic.fence i32.atomic.load
;; <~~-------------------- support.function.instruction.atomic.wat
;;                     ^^^^^^^^^^^^^^^^^^^^ support.function.instruction.atomic.wat
;;                                                   ^^^^^^^^^^^^^^^^^^^^ support.function.instruction.atomic.wat
;;                                                                        ^^^^^^^^^^^^ support.function.instruction.atomic.wat
;;                                                                                     ^^^^^^^^^^^^^^^ support.function.instruction.atomic.wat
  i32.atomic.rmw8.add_u i64.atomic.rmw32.cmpxchg_u i64.atomic.rmw.xchg i32.atomic.store16 i64.atomic.load32_u
;; <~~--------------------- support.function.instruction.atomic.wat
;;                      ^^^^^^^^^^^^^^^^^^^^^^^^^^ support.function.instruction.atomic.wat
;;                                                 ^^^^^^^^^^^^^^^^^^^ support.function.instruction.atomic.wat
;;                                                                     ^^^^^^^^^^^^^^^^^^ support.function.instruction.atomic.wat
;;                                                                                        ^^^^^^^^^^^^^^^^^^^ support.function.instruction.atomic.wat
  i32.atomic.rmw32.add_u i32.atomic.rmw8.add i32.atomic.load32_u
;; <~~---------------------- - support.function.instruction.atomic.wat
;;                       ^^^^^^^^^^^^^^^^^^^ - support.function.instruction.atomic.wat
;;                                           ^^^^^^^^^^^^^^^^^^^ - support.function.instruction.atomic.wat
  ;; reference types and GC
  ref.null extern ref.is_null ref.func $f ref.eq ref.as_non_null ref.test (ref null $t) ref.cast i31ref
;; <~~-------- support.function.instruction.reference.wat
;;         ^^^^^^ storage.type.heap.wat
;;                ^^^^^^^^^^^ support.function.instruction.reference.wat
;;                                     ^^ entity.name.function.wat
;;                                        ^^^^^^ support.function.instruction.reference.wat
;;                                               ^^^^^^^^^^^^^^^ support.function.instruction.reference.wat
;;                                                               ^^^^^^^^ support.function.instruction.reference.wat
;;                                                                         ^^^^^^^^ meta.type.reference.wat
;;                                                                                      ^^^^^^^^ support.function.instruction.reference.wat
;;                                                                                               ^^^^^^ storage.type.reference.wat
  struct.new $s struct.new_default $s struct.get $s $fld struct.get_s $s 0 struct.set $s 1
;; <~~---------- support.function.instruction.gc.wat
;;              ^^^^^^^^^^^^^^^^^^ support.function.instruction.gc.wat
;;                                    ^^^^^^^^^^ support.function.instruction.gc.wat
;;                                                       ^^^^^^^^^^^^ support.function.instruction.gc.wat
;;                                                                         ^^^^^^^^^^ support.function.instruction.gc.wat
  array.new_fixed $a 3 array.new_data $a $d array.get_u $a array.len array.copy $a $b array.init_elem $a $e
;; <~~--------------- support.function.instruction.gc.wat
;;                     ^^^^^^^^^^^^^^ support.function.instruction.gc.wat
;;                                          ^^^^^^^^^^^ support.function.instruction.gc.wat
;;                                                         ^^^^^^^^^ support.function.instruction.gc.wat
;;                                                                   ^^^^^^^^^^ support.function.instruction.gc.wat
;;                                                                                    ^^^^^^^^^^^^^^^ support.function.instruction.gc.wat
  ref.i31 i31.get_s any.convert_extern extern.convert_any br_on_cast $l anyref (ref i31) br_on_cast_fail 0 eqref eqref
;; <~~------- support.function.instruction.reference.wat
;;        ^^^^^^^^^ support.function.instruction.reference.wat
;;                  ^^^^^^^^^^^^^^^^^^ support.function.instruction.gc.wat
;;                                     ^^^^^^^^^^^^^^^^^^ support.function.instruction.gc.wat
;;                                                        ^^^^^^^^^^ keyword.control.flow.wat
;;                                                                   ^^ entity.name.label.wat
;;                                                                                  ^^^ meta.type.reference.wat storage.type.heap.wat
;;                                                                                       ^^^^^^^^^^^^^^^ keyword.control.flow.wat
  br_on_null $l br_on_non_null 0 struct.get_x array.news
;; <~~---------- keyword.control.flow.wat
;;              ^^^^^^^^^^^^^^ keyword.control.flow.wat
;;                               ^^^^^^^^^^^^ - support.function.instruction.gc.wat
;;                                            ^^^^^^^^^^ - support.function.instruction.gc.wat
  ;; exception handling
  (try_table (result i32) (catch $e 0) (catch_ref $e 1) (catch_all 2) (catch_all_ref 3) (throw $e)) throw_ref
;; ^^^^^^^^^ keyword.control.flow.wat
;;                         ^^^^^ keyword.control.flow.wat
;;                                      ^^^^^^^^^ keyword.control.flow.wat
;;                                                       ^^^^^^^^^ keyword.control.flow.wat
;;                                                                     ^^^^^^^^^^^^^ keyword.control.flow.wat
;;                                                                                       ^^^^^ keyword.control.flow.wat
;;                                                                                                  ^^^^^^^^^ keyword.control.flow.wat
  try $t (do (nop)) catch $e rethrow 0 catch_all delegate 0 end
;; <~~--- keyword.control.flow.wat
;;                  ^^^^^ keyword.control.flow.wat
;;                           ^^^^^^^ keyword.control.flow.wat
;;                                               ^^^^^^^^ keyword.control.flow.wat
  ;; extended constant expressions
  (global i64 (i64.add (global.get $base) (i64.mul (i64.const 4) (i64.const 8))))
;;             ^^^^^^^ support.function.instruction.numeric.wat
;;                                         ^^^^^^^ support.function.instruction.numeric.wat
;;                      ^^^^^^^^^^ support.function.instruction.variable.wat
  ;; legacy names and typos are not instructions
  get_local 0 current_memory grow_memory i32.trunc_s/f32 anyfunc
;; <~~--------- - support.function.instruction.variable.wat
;;            ^^^^^^^^^^^^^^ - support.function.instruction.memory.wat
;;                           ^^^^^^^^^^^ - support.function.instruction.memory.wat
;;                                       ^^^^^^^^^^^^^^^ - support.function.instruction.numeric.wat
;;                                                       ^^^^^^^ - storage.type.reference.wat
  i32.add(i32.const 1)(;c;)i32.sub;;x
;; <~~------- support.function.instruction.numeric.wat
;;        ^^^^^^^^^ support.function.instruction.numeric.wat
;;                         ^^^^^^^ support.function.instruction.numeric.wat
;;                                ^^^ comment.line.double-semicolon.wat
)
