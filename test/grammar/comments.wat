;; SYNTAX TEST "source.wat" "comments and annotations"
;; a line comment
;; <- comment.line.double-semicolon.wat punctuation.definition.comment.wat
;; ^^^^^^^^^^^^^^^ comment.line.double-semicolon.wat
(func) ;; trailing (func i32.add
;;     ^^ comment.line.double-semicolon.wat
;;                  ^^^^ comment.line.double-semicolon.wat - keyword.declaration.func.wat
;;                       ^^^^^^^ comment.line.double-semicolon.wat - support.function.instruction.numeric.wat
;; <- - comment.line.double-semicolon.wat
(; block ;) (module)
;; <-- comment.block.wat punctuation.definition.comment.begin.wat
;;       ^^ comment.block.wat punctuation.definition.comment.end.wat
;;           ^^^^^^ keyword.declaration.module.wat - comment.block.wat
(; outer (; inner ;) still comment i32.add ;) i32.add
;;          ^^^^^ comment.block.wat comment.block.wat
;;                   ^^^^^^^^^^^^^ comment.block.wat - keyword.control.flow.wat
;;                                 ^^^^^^^ comment.block.wat - support.function.instruction.numeric.wat
;;                                         ^^ comment.block.wat punctuation.definition.comment.end.wat
;;                                            ^^^^^^^ support.function.instruction.numeric.wat - comment.block.wat
(; multi
  line (; nested
   ;) module i32.const ;; not a line comment
;; <- - comment.line.double-semicolon.wat
;;    ^^^^^^ comment.block.wat - keyword.declaration.module.wat
;;                     ^^ comment.block.wat - comment.line.double-semicolon.wat
  "a string ;) is not a string here
;;^ comment.block.wat - string.quoted.double.wat
;;          ^^ comment.block.wat punctuation.definition.comment.end.wat
;;             ^^^^^^^^^^^^^^^^^^^^^ - comment.block.wat string.quoted.double.wat
(func)
;; <- punctuation.section.parens.begin.wat - comment.block.wat
;;^^^ keyword.declaration.func.wat
"(; in a string ;)" (func)
;;^^ string.quoted.double.wat - comment.block.wat
;;                   ^^^^ keyword.declaration.func.wat
(@name "m" (nested (parens)) $x) (func)
;; <- meta.annotation.wat punctuation.section.annotation.begin.wat
;; <~----- meta.annotation.wat storage.type.annotation.wat
;;     ^^^ meta.annotation.wat string.quoted.double.wat
;;                 ^^^^^^^^ meta.annotation.wat
;;                         ^ meta.annotation.wat punctuation.section.parens.end.wat
;;                             ^ meta.annotation.wat punctuation.section.annotation.end.wat
;;                                ^^^^ keyword.declaration.func.wat - meta.annotation.wat
(@custom "name" (after func) "\00bytes")
;; ^^^^^ meta.annotation.wat storage.type.annotation.wat
;;                      ^^^^ meta.annotation.wat - keyword.declaration.func.wat
;;                            ^^^ meta.annotation.wat string.quoted.double.wat constant.character.escape.wat
( @notannotation)
;;^^^^^^^^^^^^^^ - meta.annotation.wat
