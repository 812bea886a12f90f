;; This file has one deliberate syntax error: the function body below is missing a closing parenthesis.
(module
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b))
)
