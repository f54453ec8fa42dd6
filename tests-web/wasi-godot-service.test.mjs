// The addon's WasiService node in the real Godot 4.6 web engine, running the facial-expression service
// (guest/wasi-tests/src/bin/face_service.rs, wasm32-wasip1) from a WasmModule and from a URL: stdout/stderr
// lines as signals, stdin writes (text and bytes), exit codes, kill, close_stdin, a trapping service failing
// with a typed error while frames keep going, sha256_mismatch, web_only, and one poll crossing per frame
// for all services. Needs dist/ (npm run build) and scripts/build-wasi-tests.sh.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bootGodot, REPO_ROOT } from './lib/godot.mjs';
import { addonProject, glueHead, glueServe, waitForJson } from './godot-addon-lib.mjs';

const PROGRAMS = path.join(REPO_ROOT, 'guest/wasi-tests/target/wasm32-wasip1/release');
const FACE = path.join(PROGRAMS, 'face_service.wasm');

const MAIN_GD = `extends Node

var frames := 0


func _process(_delta: float) -> void:
	frames += 1


func _service(service_name: String, log: Dictionary) -> WasiService:
	var s := WasiService.new()
	s.name = service_name
	s.args = PackedStringArray(["face_service", "--smoothing", "0"])
	log.out = []
	log.err = []
	log.failed = {}
	s.stdout_line.connect(func(line): log.out.append(line))
	s.stderr_line.connect(func(line): log.err.append(line))
	s.failed.connect(func(e): log.failed = e)
	return s


func _wait(cond: Callable, max_frames := 1200) -> int:
	var start := frames
	for i in max_frames:
		if cond.call():
			break
		await get_tree().process_frame
	return frames - start


func _ready() -> void:
	var report := {}
	var face: WasmModule = load("res://modules/face_service.wasm")
	report.module_class = face.get_script().get_global_name()

	# A: a WasmModule; text and byte writes; a bad line goes to stderr; exit code from "exit 7".
	var a_log := {}
	var a := _service("A", a_log)
	a.wasm_module = face
	var a_exit := []
	a.exited.connect(func(code): a_exit.append(code))
	add_child(a)
	report.a_write_before_start = a.write_stdin("smile=0.8 blink=0.1 jaw=0.3 brow=0.2\\n")
	await _wait(func(): return a.state == "running")
	report.a_state_running = a.state
	report.a_stdin_mode = a.stdin_mode
	a.write_stdin("bogus\\n")
	a.write_stdin("smile=1 jaw=0.5\\n".to_utf8_buffer())
	await _wait(func(): return a_log.out.size() >= 2)
	a.write_stdin("exit 7\\n")
	report.a_frames_until_exit = await _wait(func(): return a.state == "exited")
	report.a = {"out": a_log.out, "err": a_log.err, "exit": a_exit, "exit_code": a.exit_code, "state": a.state}
	report.a_write_after_exit = a.write_stdin("x\\n")

	# B (URL with the right sha256) keeps answering while C (URL) traps.
	var b_log := {}
	var b := _service("B", b_log)
	b.url = "svc/face_service.wasm"
	b.sha256 = "${'${SHA}'}"
	var progress := []
	b.download_progress.connect(func(loaded, total): progress.append([loaded, total]))
	add_child(b)
	var c_log := {}
	var c := _service("C", c_log)
	c.url = "svc/face_service.wasm"
	add_child(c)
	await _wait(func(): return b.state == "running" and c.state == "running")
	c.write_stdin("smile=0.5\\ntrap\\n")
	await _wait(func(): return c.state == "failed")
	var frames_at_trap := frames
	b.write_stdin("blink=1\\n")
	await _wait(func(): return b_log.out.size() >= 1)
	report.frames_after_trap = frames - frames_at_trap
	report.b = {"out": b_log.out, "state": b.state, "progress": progress.size()}
	report.c = {"out": c_log.out, "failed": c_log.failed, "state": c.state, "error": c.error}

	# B: kill; D: close_stdin → EOF → exit 0.
	b.kill()
	await _wait(func(): return b.state == "failed")
	report.b_killed = b_log.failed
	var d_log := {}
	var d := _service("D", d_log)
	d.wasm_module = face
	var d_exit := []
	d.exited.connect(func(code): d_exit.append(code))
	add_child(d)
	d.close_stdin()
	await _wait(func(): return d.state == "exited")
	report.d = {"exit": d_exit, "err": d_log.err}

	# E: a corrupted expectation; F: outside the browser; G: nothing to run.
	var e_log := {}
	var e := _service("E", e_log)
	e.url = "svc/face_service.wasm"
	e.sha256 = "ab".repeat(32)
	add_child(e)
	await _wait(func(): return e.state == "failed")
	report.e = e_log.failed
	WasiService.simulate_non_web = true
	var f_log := {}
	var f := _service("F", f_log)
	f.wasm_module = face
	add_child(f)
	report.f = f_log.failed
	WasiService.simulate_non_web = false
	var g_log := {}
	var g := _service("G", g_log)
	add_child(g)
	report.g = g_log.failed

	# Args (with a space), env (a non-String value too) and input files (bytes and text).
	var h_log := {}
	var h := _service("H", h_log)
	h.wasm_module = load("res://modules/args_env.wasm")
	h.args = PackedStringArray(["args_env", "two words"])
	h.env = {"GREETING": "hi there", "N": 5}
	add_child(h)
	var i_log := {}
	var i_svc := _service("I", i_log)
	i_svc.wasm_module = load("res://modules/copy.wasm")
	i_svc.args = PackedStringArray(["copy", "/data/in.bin", "/data/out/copy.bin"])
	i_svc.files = {"/data/in.bin": PackedByteArray([0, 1, 2, 255, 10, 13]), "/data/out/": null}
	add_child(i_svc)
	var j_log := {}
	var j := _service("J", j_log)
	j.wasm_module = load("res://modules/copy.wasm")
	j.args = PackedStringArray(["copy", "/t.txt", "/u.txt"])
	j.files = {"/t.txt": "héllo"}
	add_child(j)
	await _wait(func(): return h.state == "exited" and i_svc.state == "exited" and j.state == "exited")
	report.h = h_log.out
	report.i = {"out": i_log.out, "code": i_svc.exit_code}
	report.j = j_log.out

	# One crossing per frame for all services: several services, a few frames.
	var many := []
	for i in 3:
		var s := _service("M%d" % i, {})
		s.wasm_module = face
		add_child(s)
		many.append(s)
	await _wait(func(): return many.all(func(s): return s.state == "running"))
	var polls_before := WasiService.polls
	var frames_before := frames
	for i in 20:
		await get_tree().process_frame
	report.polls = WasiService.polls - polls_before
	report.poll_frames = frames - frames_before
	# A freed service's worker is stopped on the page.
	many[0].queue_free()
	await get_tree().process_frame
	await get_tree().process_frame
	print("WASI_SERVICE_REPORT ", JSON.stringify(report))
`;

let godot;
let report;

before(async () => {
  execFileSync('bash', ['scripts/build-wasi-tests.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const face = readFileSync(FACE);
  const sha = createHash('sha256').update(face).digest('hex');
  const glue = glueServe();
  godot = await bootGodot({
    files: addonProject({
      mainGd: MAIN_GD.replace('${SHA}', sha),
      modules: {
        'face_service.wasm': face,
        'args_env.wasm': readFileSync(path.join(PROGRAMS, 'args_env.wasm')),
        'copy.wasm': readFileSync(path.join(PROGRAMS, 'copy.wasm')),
      },
    }),
    head: glueHead(),
    serve: { ...glue, files: { '/svc/face_service.wasm': face } },
  });
  report = await waitForJson(godot, 'WASI_SERVICE_REPORT', 120_000);
  if (process.env.WASI_DEBUG) console.log(JSON.stringify(report, null, 1));
});
after(() => godot?.close());

describe('WasiService in Godot', () => {
  test('a WasmModule service streams lines both ways and exits with its code', () => {
    assert.equal(report.module_class, 'WasmModule');
    assert.equal(report.a_write_before_start, '', 'writes before the worker exists are queued');
    assert.equal(report.a_state_running, 'running');
    assert.equal(report.a_stdin_mode, 'pipe', 'the test page is cross-origin isolated');
    assert.deepEqual(report.a.out, [
      'weights mouth_smile=0.800 eye_blink_l=0.300 eye_blink_r=0.300 jaw_open=0.285 brow_up=0.200 cheek_raise=0.480',
      'weights mouth_smile=1.000 eye_blink_l=0.350 eye_blink_r=0.350 jaw_open=0.475 brow_up=0.200 cheek_raise=0.600',
    ]);
    assert.deepEqual(report.a.err, [
      'face_service ready (smoothing 0)',
      'error: line 2: expected key=value, got "bogus"',
      'face_service: 2 frames',
    ]);
    assert.deepEqual(report.a.exit, [7]);
    assert.equal(report.a.exit_code, 7);
    assert.equal(report.a.state, 'exited');
    assert.ok(report.a_frames_until_exit >= 1, 'exit arrives in a later frame: nothing blocked');
    assert.equal(report.a_write_after_exit, 'not_running');
  });

  test('a trapping service fails with a typed error while another keeps answering', () => {
    assert.equal(report.c.state, 'failed');
    assert.equal(report.c.failed.code, 'trap');
    assert.deepEqual(report.c.error, report.c.failed);
    assert.equal(report.c.out.length, 1, 'the line before the trap arrived');
    assert.equal(report.b.out.length, 1);
    assert.match(report.b.out[0], /^weights .*eye_blink_l=1\.000/);
    assert.ok(report.frames_after_trap >= 1, 'frames kept going after the trap');
    assert.ok(report.b.progress >= 1, 'download progress from the URL');
    assert.equal(report.b_killed.code, 'killed');
  });

  test('close_stdin ends the service with exit code 0', () => {
    assert.deepEqual(report.d.exit, [0]);
    assert.deepEqual(report.d.err, ['face_service ready (smoothing 0)', 'face_service: 0 frames']);
  });

  test('args, env and input files (bytes and text) reach the program', () => {
    assert.deepEqual(report.h.slice(0, 4), [
      'arg 0 args_env',
      'arg 1 two words',
      'env GREETING=hi there',
      'env N=5',
    ]);
    assert.deepEqual(report.i, { out: ['copied 6'], code: 0 });
    assert.deepEqual(report.j, ['copied 6'], 'UTF-8: é is two bytes');
  });

  test('wrong sha256, web_only and a missing module are typed failures', () => {
    assert.equal(report.e.code, 'sha256_mismatch');
    assert.equal(report.f.code, 'web_only');
    assert.equal(report.g.code, 'module_missing');
    assert.ok(godot.console.grep(/WasiService F: web_only/).length === 1, 'web_only is loud (push_error)');
  });

  test('one poll crossing per frame for all services', async () => {
    assert.equal(report.poll_frames, 20);
    assert.equal(report.polls, 20, 'three running services, one poll per frame');
    const status = await godot.page.evaluate(() => window.ugcWasi.status());
    // Finished services were dropped by the page; the freed M0's worker was stopped and dropped too.
    assert.deepEqual(
      status.services.map((s) => s.state),
      ['running', 'running'],
      JSON.stringify(status),
    );
    assert.equal(status.crossings.poll >= report.polls, true);
    assert.equal(godot.scriptErrors().length, 0, godot.scriptErrors().join('\n'));
  });
});
