;; Whether any of the first `length` bytes of memory is below 0x20, 0x22 (") or 0x5C (\): the bytes JSON
;; escapes, for `json-escapes.ts` (issue 14). Sixteen bytes at a time (WebAssembly SIMD, in Node since 16.4):
;; with the copy of the text into memory, 1.5 ms for 5 MB on the development VM, against 6.1 ms for the same
;; test on 32-bit words in JavaScript.
;;
;; `npx tsx scripts/build-escape-scan.ts` assembles this file (with wabt) into `escape-scan-module.ts`;
;; `json-escapes.test.ts` fails when the two differ.
(module
  (memory (export "memory") 1)
  (func (export "escapes") (param $length i32) (result i32)
    (local $at i32)
    (local $wide_end i32)
    (local $look_end i32)
    (local $found v128)
    (local $bytes v128)
    (local $byte i32)
    ;; Where the 16-byte loads end: the last multiple of 16 at or below `length`.
    (local.set $wide_end (i32.and (local.get $length) (i32.const -16)))
    (block $wide_done
      (loop $look
        ;; A look of 64 KB, then a check: a text with an escape near its start stops early.
        (br_if $wide_done (i32.ge_u (local.get $at) (local.get $wide_end)))
        (local.set $look_end (i32.add (local.get $at) (i32.const 65536)))
        (if (i32.gt_u (local.get $look_end) (local.get $wide_end))
          (then (local.set $look_end (local.get $wide_end))))
        (loop $wide
          (local.set $bytes (v128.load (local.get $at)))
          (local.set $found
            (v128.or
              (local.get $found)
              (v128.or
                (i8x16.lt_u (local.get $bytes) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
                (v128.or
                  (i8x16.eq (local.get $bytes) (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34))
                  (i8x16.eq (local.get $bytes) (v128.const i8x16 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92))))))
          (local.set $at (i32.add (local.get $at) (i32.const 16)))
          (br_if $wide (i32.lt_u (local.get $at) (local.get $look_end))))
        (if (v128.any_true (local.get $found)) (then (return (i32.const 1))))
        (br $look)))
    ;; The last bytes, one at a time.
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $at) (local.get $length)))
        (local.set $byte (i32.load8_u (local.get $at)))
        (if
          (i32.or
            (i32.lt_u (local.get $byte) (i32.const 32))
            (i32.or (i32.eq (local.get $byte) (i32.const 34)) (i32.eq (local.get $byte) (i32.const 92))))
          (then (return (i32.const 1))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $tail)))
    (i32.const 0)))
