/* A spinning prop in plain C: proves the ABI needs no Rust. Every frame it rotates its node
 * about the Y axis by `speed` radians per second (a queued `rotate_y` command) and, once per
 * full turn, emits the declared `turned(count: int)` signal. Its manifest keeps the default
 * "instancing": "node" on purpose (the example of that mode): `angle` and `turns` below are plain
 * statics, one per node because every node gets its own instance.
 *
 * Built by scripts/build-guests.sh with Debian's clang, from this directory:
 *   clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-dynamic spinner.c */

#include <stdint.h>

#define IMPORT(name) __attribute__((import_module("ugc"), import_name(name)))
#define EXPORT __attribute__((visibility("default")))

IMPORT("log") void ugc_log(const char *ptr, int32_t len);
IMPORT("release") int32_t ugc_release(int32_t h);
IMPORT("new_float") int32_t ugc_new_float(double v);
IMPORT("new_int") int32_t ugc_new_int(int64_t v);
IMPORT("as_float") double ugc_as_float(int32_t h);
IMPORT("array_new") int32_t ugc_array_new(void);
IMPORT("array_push") int32_t ugc_array_push(int32_t array, int32_t value);
IMPORT("self") int32_t ugc_self(void);
IMPORT("object_get") int32_t ugc_object_get(int32_t obj, const char *name, int32_t len);
IMPORT("object_call") int32_t ugc_object_call(int32_t obj, const char *name, int32_t len,
                                              int32_t args);
IMPORT("emit_signal") int32_t ugc_emit_signal(const char *name, int32_t len, int32_t args);

/* The ABI version (u32 LE) and the manifest (manifest.json, next to this file). clang has no
 * attribute for wasm custom sections, but wasm-ld turns an assembler section named
 * ".custom_section.<name>" into the custom section <name>. */
__asm__(".section .custom_section.ugc_abi,\"\",@\n"
        ".int8 1\n.int8 0\n.int8 0\n.int8 0\n"
        ".section .custom_section.ugc_script,\"\",@\n"
        ".incbin \"manifest.json\"\n"
        ".text\n");

#define STR(s) s, (int32_t)(sizeof(s) - 1)
#define TAU 6.283185307179586

static double angle;
static int64_t turns;

static void fail(const char *msg, int32_t len) { ugc_log(msg, len); }

EXPORT void _process(double delta) {
  int32_t self = ugc_self();
  if (self <= 0) {
    fail(STR("spinner: no self"));
    return;
  }

  int32_t speed_h = ugc_object_get(self, STR("speed"));
  double speed = speed_h > 0 ? ugc_as_float(speed_h) : 1.0;
  if (speed_h > 0) ugc_release(speed_h);
  double step = speed * delta;

  int32_t args = ugc_array_new();
  int32_t amount = ugc_new_float(step);
  if (args <= 0 || amount <= 0 || ugc_array_push(args, amount) < 0 ||
      ugc_object_call(self, STR("rotate_y"), args) < 0)
    fail(STR("spinner: rotate_y failed"));
  ugc_release(amount);
  ugc_release(args);

  angle += step;
  if (angle >= TAU) {
    angle -= TAU;
    turns += 1;
    int32_t sig_args = ugc_array_new();
    int32_t count = ugc_new_int(turns);
    if (ugc_array_push(sig_args, count) < 0 || ugc_emit_signal(STR("turned"), sig_args) < 0)
      fail(STR("spinner: emit failed"));
    ugc_release(count);
    ugc_release(sig_args);
  }
  ugc_release(self);
}
