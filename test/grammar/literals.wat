;; SYNTAX TEST "source.wat" "numbers and strings"
(i32.const 42) (i32.const -7) (i64.const +1_000_000) (i32.const 0xFF_FF) (i64.const -0x8000_0000)
;;         ^^ constant.numeric.integer.decimal.wat
;;                        ^^ constant.numeric.integer.decimal.wat
;;                                       ^^^^^^^^^^ constant.numeric.integer.decimal.wat
;;                                                              ^^^^^^^ constant.numeric.integer.hexadecimal.wat
;;                                                                                  ^^^^^^^^^^^^ constant.numeric.integer.hexadecimal.wat
(f32.const 1.5) (f64.const -0.5e-10) (f64.const 1e+3) (f32.const 1.) (f64.const 1_0.2_5E1_0)
;;         ^^^ constant.numeric.float.decimal.wat
;;                         ^^^^^^^^ constant.numeric.float.decimal.wat
;;                                              ^^^^ constant.numeric.float.decimal.wat
;;         ^^ constant.numeric.float.decimal.wat
;;                                                                              ^^^^^^^^^^^ constant.numeric.float.decimal.wat
(f64.const 0x1.8p3) (f32.const -0x1p-149) (f64.const 0x1.fffffffffffffp+1023) (f32.const 0xa.) (f32.const 0x1_F.8_0P1_0)
;;         ^^^^^^^ constant.numeric.float.hexadecimal.wat
;;                             ^^^^^^^^^ constant.numeric.float.hexadecimal.wat
;;                                                   ^^^^^^^^^^^^^^^^^^^^^^^ constant.numeric.float.hexadecimal.wat
;;                                                                                       ^^^^ constant.numeric.float.hexadecimal.wat
;;                                                                                                        ^^^^^^^^^^^^^ constant.numeric.float.hexadecimal.wat
(f32.const inf) (f32.const -inf) (f64.const +nan) (f32.const nan:0x7f) (f64.const -nan:0x8_0000_0000_0001)
;;         ^^^ constant.numeric.float.special.wat
;;                         ^^^^ constant.numeric.float.special.wat
;;                                          ^^^^ constant.numeric.float.special.wat
;;                                                           ^^^^^^^^ constant.numeric.float.special.wat
;;                                                                                ^^^^^^^^^^^^^^^^^^^^^^^ constant.numeric.float.special.wat
(f32.const nan:canonical) (f64.const nan:arithmetic)
;;         ^^^^^^^^^^^^^ constant.numeric.float.special.wat
;;                                   ^^^^^^^^^^^^^^ constant.numeric.float.special.wat
;; malformed numbers are not numbers, not even partly
(i32.const 1__0) (i32.const _1) (i32.const 0x) (i32.const 1_) (i32.const 0xg) (f32.const nan:7f) (f32.const infinity) (i32.const 12abc)
;;         ^^^^ - constant.numeric.integer.decimal.wat
;;                          ^^ - constant.numeric.integer.decimal.wat
;;                                         ^^ - constant.numeric.integer.hexadecimal.wat constant.numeric.integer.decimal.wat
;;                                                        ^^ - constant.numeric.integer.decimal.wat
;;                                                                       ^^^ - constant.numeric.integer.hexadecimal.wat constant.numeric.integer.decimal.wat
;;                                                                                       ^^^^^^ - constant.numeric.float.special.wat
;;                                                                                                          ^^^^^^^^ - constant.numeric.float.special.wat
;;                                                                                                                               ^^^^^ - constant.numeric.integer.decimal.wat
$x1 $1 $nan $0x10
;; <--- variable.other.wat - constant.numeric.integer.decimal.wat
;;  ^^ variable.other.wat - constant.numeric.integer.decimal.wat
;;     ^^^^ variable.other.wat - constant.numeric.float.special.wat
;;          ^^^^^ variable.other.wat - constant.numeric.integer.hexadecimal.wat
"plain \t\n\r\"\'\\ \7f \u{0} \u{1_F600} end"
;; <------- string.quoted.double.wat
;;     ^^ string.quoted.double.wat constant.character.escape.wat
;;       ^^ string.quoted.double.wat constant.character.escape.wat
;;         ^^ string.quoted.double.wat constant.character.escape.wat
;;           ^^ string.quoted.double.wat constant.character.escape.wat
;;             ^^ string.quoted.double.wat constant.character.escape.wat
;;               ^^ string.quoted.double.wat constant.character.escape.wat
;;                  ^^^ string.quoted.double.wat constant.character.escape.wat
;;                      ^^^^^ string.quoted.double.wat constant.character.escape.wat
;;                            ^^^^^^^^^^ string.quoted.double.wat constant.character.escape.wat
;;                                       ^^^^ string.quoted.double.wat
"bad \a \x41 \0 \u41 (func" (func)
;;   ^^ string.quoted.double.wat invalid.illegal.escape.wat
;;      ^^ string.quoted.double.wat invalid.illegal.escape.wat
;;           ^^ string.quoted.double.wat invalid.illegal.escape.wat
;;              ^^ string.quoted.double.wat invalid.illegal.escape.wat
;;                   ^^^^^^ string.quoted.double.wat - keyword.declaration.func.wat
;;                           ^^^^ keyword.declaration.func.wat - string.quoted.double.wat
"a ;; not a comment" "(; nor this ;)" ;; "but this is a comment"
;; ^^^^^^^^^^^^^^^^ string.quoted.double.wat - comment.line.double-semicolon.wat
;;                    ^^^^^^^^^^^^^^ string.quoted.double.wat - comment.block.wat
;;                                    ^^^^^^^ comment.line.double-semicolon.wat - string.quoted.double.wat
