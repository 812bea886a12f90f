;; SYNTAX TEST "source.wat" "module fields, types and identifiers"
(module $M
;; <~------ keyword.declaration.module.wat
;;      ^^ variable.other.wat
  (rec (type $t (sub final $base (struct (field $x (mut i32)) (field i8)))))
;; ^^^ keyword.declaration.rec.wat
;;      ^^^^ keyword.declaration.type.wat
;;           ^^ entity.name.type.wat
;;               ^^^ storage.modifier.wat
;;                   ^^^^^ storage.modifier.wat
;;                         ^^^^^ variable.other.wat
;;                                ^^^^^^ keyword.declaration.struct.wat
;;                                        ^^^^^ keyword.declaration.field.wat
;;                                              ^^ variable.other.wat
;;                                                  ^^^ storage.modifier.wat
;;                                                      ^^^ storage.type.numeric.wat
;;                                                                   ^^ storage.type.numeric.wat
  (type $arr (array (mut (ref null $t))))
;;            ^^^^^ keyword.declaration.array.wat
;;                       ^ meta.type.reference.wat punctuation.section.parens.begin.wat
;;                        ^^^ meta.type.reference.wat storage.type.reference.wat
;;                            ^^^^ meta.type.reference.wat storage.modifier.null.wat
;;                                 ^^ meta.type.reference.wat entity.name.type.wat
;;                                   ^ meta.type.reference.wat punctuation.section.parens.end.wat
;;                                    ^ punctuation.section.parens.end.wat - meta.type.reference.wat
  (import "env" "f" (func $imp (param i32 i64) (result f32 f64)))
;; ^^^^^^ keyword.declaration.import.wat
;;        ^^^^^ string.quoted.double.wat
;;                   ^^^^ keyword.declaration.func.wat
;;                        ^^^^ entity.name.function.wat
;;                              ^^^^^ keyword.other.param.wat
;;                                        ^^^ storage.type.numeric.wat
;;                                              ^^^^^^ keyword.other.result.wat
;;                                                         ^^^ storage.type.numeric.wat
  (func $"with space" (export "run") (param $p v128) (local $l funcref) (result (ref $t))
;;      ^^^^^^^^^^^^^ entity.name.function.wat
;;                     ^^^^^^ keyword.declaration.export.wat
;;                                          ^^ variable.parameter.wat
;;                                             ^^^^ storage.type.numeric.wat
;;                                                    ^^^^^ keyword.other.local.wat
;;                                                          ^^ variable.other.local.wat
;;                                                             ^^^^^^^ storage.type.reference.wat
;;                                                                               ^^^ storage.type.reference.wat
    (local.get $"with space") (local.get $a.b) (local.get $x_1) (local.get $"a\"b\q")
;;             ^^^^^^^^^^^^^ variable.other.wat
;;                                       ^^^^ variable.other.wat
;;                                                        ^^^^ variable.other.wat
;;                                                                         ^^^^^^^^^ variable.other.wat
;;                                                                            ^^ variable.other.wat constant.character.escape.wat
;;                                                                               ^^ variable.other.wat invalid.illegal.escape.wat
  )
  (table $tab i64 10 20 (ref null func))
;; ^^^^^ keyword.declaration.table.wat
;;            ^^^ storage.type.numeric.wat
;;                ^^ constant.numeric.integer.decimal.wat
;;                                ^^^^ meta.type.reference.wat storage.type.heap.wat - keyword.declaration.func.wat
  (memory $mem i64 1 100 shared (pagesize 1))
;; ^^^^^^ keyword.declaration.memory.wat
;;             ^^^ storage.type.numeric.wat
;;                       ^^^^^^ storage.modifier.wat
;;                               ^^^^^^^^ keyword.other.pagesize.wat
  (global $g (mut anyref) (ref.null any))
;; ^^^^^^ keyword.declaration.global.wat
;;        ^^ variable.other.global.wat
;;            ^^^ storage.modifier.wat
;;                ^^^^^^ storage.type.reference.wat
;;                         ^^^^^^^^ support.function.instruction.reference.wat
;;                                  ^^^ storage.type.heap.wat
  (start $main)
;; ^^^^^ keyword.declaration.start.wat
;;       ^^^^^ entity.name.function.wat
  (elem declare func $f)
;; ^^^^ keyword.declaration.elem.wat
;;      ^^^^^^^ storage.modifier.wat
;;              ^^^^ keyword.declaration.func.wat
  (elem (table $tab) (offset (i32.const 0)) funcref (item (ref.func $f)))
;;                    ^^^^^^ keyword.other.offset.wat - variable.parameter.memarg.wat
;;                                          ^^^^^^^ storage.type.reference.wat
;;                                                   ^^^^ keyword.other.item.wat
;;                                                         ^^^^^^^^ support.function.instruction.reference.wat
;;                                                                  ^^ entity.name.function.wat
  (data (memory $mem) (i64.const 8) "\00\ff" "\u{10FFFF}" "\x" "\u{}")
;; ^^^^ keyword.declaration.data.wat
;;                                  ^ string.quoted.double.wat punctuation.definition.string.begin.wat
;;                                   ^^^ string.quoted.double.wat constant.character.escape.wat
;;                                      ^^^ string.quoted.double.wat constant.character.escape.wat
;;                                            ^^^^^^^^^^ string.quoted.double.wat constant.character.escape.wat
;;                                                         ^^ string.quoted.double.wat invalid.illegal.escape.wat
;;                                                              ^^ string.quoted.double.wat invalid.illegal.escape.wat
  (tag $e (param i32))
;; ^^^ keyword.declaration.tag.wat
  (type $r (func (param externref exnref i31ref eqref structref arrayref nullref nullfuncref nullexternref nullexnref)))
;;                      ^^^^^^^^^ storage.type.reference.wat
;;                                ^^^^^^ storage.type.reference.wat
;;                                       ^^^^^^ storage.type.reference.wat
;;                                              ^^^^^ storage.type.reference.wat
;;                                                    ^^^^^^^^^ storage.type.reference.wat
;;                                                              ^^^^^^^^ storage.type.reference.wat
;;                                                                       ^^^^^^^ storage.type.reference.wat
;;                                                                               ^^^^^^^^^^^ storage.type.reference.wat
;;                                                                                           ^^^^^^^^^^^^^ storage.type.reference.wat
;;                                                                                                         ^^^^^^^^^^ storage.type.reference.wat
  (global (ref null none) (ref.null noextern)) (global (ref eq) (ref.i31 (i32.const 1)))
;;                  ^^^^ meta.type.reference.wat storage.type.heap.wat
;;                                  ^^^^^^^^ storage.type.heap.wat
;;                                                          ^^ meta.type.reference.wat storage.type.heap.wat
;;                                                               ^^^^^^^ support.function.instruction.reference.wat
  (func $f (result (ref null struct)) unknownword foo.bar i32.addd $ok i32x)
;;                           ^^^^^^ storage.type.heap.wat - keyword.declaration.struct.wat
;;                                    ^^^^^^^^^^^ - keyword.control.flow.wat support.function.instruction.numeric.wat storage.type.numeric.wat variable.other.wat
;;                                                ^^^^^^^ - support.function.instruction.gc.wat support.function.instruction.numeric.wat
;;                                                        ^^^^^^^^ - support.function.instruction.numeric.wat storage.type.numeric.wat
;;                                                                 ^^^ variable.other.wat
;;                                                                     ^^^^ - storage.type.numeric.wat storage.type.vector-shape.wat
  "unterminated string (func
;; <~~-------------------------- string.quoted.double.wat
  (func)
;; <~~- punctuation.section.parens.begin.wat - string.quoted.double.wat
;; ^^^^ keyword.declaration.func.wat
)
