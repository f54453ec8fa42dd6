// The facial-expression demo scene (godot-web-export/demo/face_service.tscn) in the real Godot 4.6 web
// engine: its WasiService runs face_service.wasm from a URL, the scene feeds it features every few frames and
// applies each answered line to the blend shapes of the face's mesh. Needs dist/ and scripts/build-wasi-tests.sh.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bootGodot, REPO_ROOT } from './lib/godot.mjs';
import { addonProject, glueHead, glueServe, waitForJson } from './godot-addon-lib.mjs';

const FACE = path.join(REPO_ROOT, 'guest/wasi-tests/target/wasm32-wasip1/release/face_service.wasm');
const DEMO = path.join(REPO_ROOT, 'godot-web-export/demo');

const MAIN_GD = `extends Node


func _ready() -> void:
	var report := {}
	var demo: Node3D = load("res://demo/face_service.tscn").instantiate()
	add_child(demo)
	var frames := 0
	while demo.lines_applied < 10 and frames < 1200:
		await get_tree().process_frame
		frames += 1
	var mesh: MeshInstance3D = demo.get_node("Head/Features")
	report.shapes = []
	for i in mesh.mesh.get_blend_shape_count():
		report.shapes.append(mesh.mesh.get_blend_shape_name(i))
	report.lines_while_running = demo.lines_applied
	report.state = demo.service.state
	report.url = demo.service.url
	# Stop the synthetic feed and send one expression until the smoothing (0.3) has converged.
	demo.set_process(false)
	await get_tree().process_frame
	var before: int = demo.lines_applied
	for i in 12:
		demo.service.write_stdin("smile=1 blink=0 jaw=0.4 brow=0.5\\n")
	while demo.lines_applied < before + 12 and frames < 2400:
		await get_tree().process_frame
		frames += 1
	report.values = {}
	for shape in report.shapes:
		report.values[shape] = snappedf(mesh.get_blend_shape_value(mesh.find_blend_shape_by_name(shape)), 0.001)
	report.label = demo.get_node("Status").text
	print("FACE_DEMO_REPORT ", JSON.stringify(report))
`;

const RENDER_GD = `extends Node


func _pose(demo: Node3D, line: String) -> Image:
	var before: int = demo.lines_applied
	for i in 12:
		demo.service.write_stdin(line + "\\n")
	for i in 1200:
		if demo.lines_applied >= before + 12:
			break
		await get_tree().process_frame
	for i in 3:
		await RenderingServer.frame_post_draw
	return get_viewport().get_texture().get_image()


func _ready() -> void:
	var camera := Camera3D.new()
	camera.position = Vector3(0, 0, 1.5)
	camera.fov = 40
	add_child(camera)
	var light := DirectionalLight3D.new()
	light.rotation = Vector3(-0.4, 0.3, 0)
	add_child(light)
	var demo: Node3D = load("res://demo/face_service.tscn").instantiate()
	add_child(demo)
	for i in 1200:
		if demo.service.state == "running":
			break
		await get_tree().process_frame
	demo.set_process(false)
	var neutral: Image = await _pose(demo, "smile=0 blink=0 jaw=0 brow=0")
	var expressive: Image = await _pose(demo, "smile=1 blink=1 jaw=1 brow=1")
	var changed := 0
	var colors := {}
	for y in neutral.get_height():
		for x in neutral.get_width():
			var c := neutral.get_pixel(x, y)
			colors[c.to_html()] = true
			if not c.is_equal_approx(expressive.get_pixel(x, y)):
				changed += 1
	var report := {
		"size": [neutral.get_width(), neutral.get_height()],
		"changed": changed,
		"colors": colors.size(),
		"neutral": Marshalls.raw_to_base64(neutral.save_png_to_buffer()),
		"expressive": Marshalls.raw_to_base64(expressive.save_png_to_buffer()),
	}
	print("FACE_RENDER_REPORT ", JSON.stringify(report))
`;

let godot;
let report;

before(async () => {
  execFileSync('bash', ['scripts/build-wasi-tests.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const glue = glueServe();
  godot = await bootGodot({
    files: addonProject({
      mainGd: MAIN_GD,
      extra: {
        'demo/face_demo.gd': readFileSync(path.join(DEMO, 'face_demo.gd'), 'utf8'),
        'demo/face_service.tscn': readFileSync(path.join(DEMO, 'face_service.tscn'), 'utf8'),
      },
    }),
    head: glueHead(),
    serve: { ...glue, files: { '/services/face_service.wasm': readFileSync(FACE) } },
  });
  report = await waitForJson(godot, 'FACE_DEMO_REPORT', 120_000);
});
after(() => godot?.close());

describe('facial-expression demo scene', () => {
  test('the service drives the face mesh blend shapes from its lines', () => {
    assert.deepEqual(report.shapes, [
      'mouth_smile',
      'jaw_open',
      'eye_blink_l',
      'eye_blink_r',
      'brow_up',
      'cheek_raise',
    ]);
    assert.equal(report.url, 'services/face_service.wasm');
    assert.equal(report.state, 'running');
    assert.ok(report.lines_while_running >= 10);
    // smile=1 blink=0 jaw=0.4 brow=0.5 through face_service's mapping.
    assert.deepEqual(report.values, {
      mouth_smile: 1,
      jaw_open: 0.4,
      eye_blink_l: 0.25,
      eye_blink_r: 0.25,
      brow_up: 0.5,
      cheek_raise: 0.6,
    });
    assert.match(report.label, /^face service: running/);
    assert.ok(godot.console.grep(/\[face_service\] face_service ready \(smoothing 0\.3\)/).length === 1);
    assert.equal(godot.scriptErrors().length, 0, godot.scriptErrors().join('\n'));
  });
});

describe('facial-expression demo scene, rendered', () => {
  test('an expression visibly changes the face (WebGL on SwiftShader)', async () => {
    const glue = glueServe();
    const rendered = await bootGodot({
      headless: false,
      files: addonProject({
        mainGd: RENDER_GD,
        extra: {
          'demo/face_demo.gd': readFileSync(path.join(DEMO, 'face_demo.gd'), 'utf8'),
          'demo/face_service.tscn': readFileSync(path.join(DEMO, 'face_service.tscn'), 'utf8'),
        },
      }),
      head: glueHead(),
      serve: { ...glue, files: { '/services/face_service.wasm': readFileSync(FACE) } },
    });
    try {
      const r = await waitForJson(rendered, 'FACE_RENDER_REPORT', 180_000);
      const out = path.join(REPO_ROOT, 'test-results');
      mkdirSync(out, { recursive: true });
      writeFileSync(path.join(out, 'face-demo-neutral.png'), Buffer.from(r.neutral, 'base64'));
      writeFileSync(path.join(out, 'face-demo-expressive.png'), Buffer.from(r.expressive, 'base64'));
      assert.ok(r.colors > 20, `the face is drawn (${r.colors} colours)`);
      // Smile, blink, open jaw and raised brows move the features: a visible share of the pixels changes.
      const share = r.changed / (r.size[0] * r.size[1]);
      assert.ok(share > 0.005, `${r.changed} pixels changed (${(share * 100).toFixed(2)}%)`);
    } finally {
      await rendered.close();
    }
  });
});
