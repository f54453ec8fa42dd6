## The facial-expression demo: synthetic "tracked" features (smile, blink, jaw, brow) go 30 times a
## second to a WASI service (face_service.wasm, Rust for wasm32-wasip1, running in a Web Worker
## through a WasiService node), which answers each with a line of blend-shape weights; every line
## drives the blend shapes of the face's features mesh (built here, so the demo needs no imported
## asset). A trap or a missing service shows on the label; the frame never waits for the service.
extends Node3D

## Blend shapes of the features mesh, named as the service's output keys.
const SHAPES := ["mouth_smile", "jaw_open", "eye_blink_l", "eye_blink_r", "brow_up", "cheek_raise"]
const SEND_INTERVAL := 1.0 / 30.0
const HEAD_RADIUS := 0.5

## Lines received and applied (for tests and the label).
var lines_applied := 0
## The last weights applied, name → value.
var weights := {}

var _time := 0.0
var _since_send := 0.0

@onready var service: WasiService = $FaceService
@onready var features: MeshInstance3D = $Head/Features
@onready var status: Label3D = $Status


func _ready() -> void:
	features.mesh = build_features_mesh()
	service.stdout_line.connect(_on_weights)
	service.stderr_line.connect(func(line: String): print("[face_service] ", line))
	service.failed.connect(func(error: Dictionary): _show("%s: %s" % [error.code, error.message]))
	service.exited.connect(func(code: int): _show("exited with %d" % code))
	service.started.connect(func(): _show("running"))
	_show("starting")


func _process(delta: float) -> void:
	_time += delta
	_since_send += delta
	if _since_send < SEND_INTERVAL or service.state != "running":
		return
	_since_send = 0.0
	var blink := 1.0 if fmod(_time, 3.2) < 0.15 else 0.0
	var line := (
		"smile=%.3f blink=%.3f jaw=%.3f brow=%.3f\n"
		% [
			0.5 + 0.5 * sin(_time * 0.9),
			blink,
			clampf(0.35 * sin(_time * 1.7), 0.0, 1.0),
			0.5 + 0.5 * sin(_time * 0.6 + 1.0),
		]
	)
	service.write_stdin(line)


## Applies one "weights name=value …" line from the service.
func _on_weights(line: String) -> void:
	var parts := line.split(" ", false)
	if parts.is_empty() or parts[0] != "weights":
		return
	for pair in parts.slice(1):
		var kv := pair.split("=")
		var index := features.find_blend_shape_by_name(kv[0]) if kv.size() == 2 else -1
		if index >= 0:
			var value := clampf(kv[1].to_float(), 0.0, 1.0)
			features.set_blend_shape_value(index, value)
			weights[kv[0]] = value
	lines_applied += 1
	if lines_applied % 30 == 1:
		_show("running: %d frames from the service" % lines_applied)


func _show(text: String) -> void:
	status.text = "face service: " + text


## Mouth, eyes, brows and cheeks on the front of the head, with one blend shape per SHAPES entry.
static func build_features_mesh() -> ArrayMesh:
	var mesh := ArrayMesh.new()
	mesh.blend_shape_mode = Mesh.BLEND_SHAPE_MODE_NORMALIZED
	var shapes := []
	for shape_name: String in SHAPES:
		mesh.add_blend_shape(shape_name)
		var arrays := _features(shape_name)
		var shape := []
		shape.resize(Mesh.ARRAY_MAX)
		shape[Mesh.ARRAY_VERTEX] = arrays[Mesh.ARRAY_VERTEX]
		shape[Mesh.ARRAY_NORMAL] = arrays[Mesh.ARRAY_NORMAL]
		shapes.append(shape)
	mesh.add_surface_from_arrays(Mesh.PRIMITIVE_TRIANGLES, _features(""), shapes)
	var material := StandardMaterial3D.new()
	material.vertex_color_use_as_albedo = true
	mesh.surface_set_material(0, material)
	return mesh


## Where blend shape `shape` (at full weight) moves point `p` of `part` ("" = the rest pose).
static func _morph(shape: String, part: String, side: float, p: Vector2) -> Vector2:
	match [shape, part]:
		["mouth_smile", "mouth"]:
			return p + Vector2(0, 2.0 * p.x * p.x)
		["jaw_open", "mouth"]:
			# Only the lower lip drops, most in the middle.
			return p - Vector2(0, 0.12 * (1.0 - pow(p.x / 0.18, 2))) if p.y < -0.2 else p
		["eye_blink_l", "eye"], ["eye_blink_r", "eye"]:
			var closes := (side < 0) == (shape == "eye_blink_l")
			return Vector2(p.x, 0.12 + (p.y - 0.12) * 0.08) if closes else p
		["brow_up", "brow"]:
			return p + Vector2(0, 0.07)
		["cheek_raise", "cheek"]:
			return p + Vector2(0, 0.05)
	return p


## The features' triangles in one surface, each point moved by blend shape `shape` ("" = none).
static func _features(shape: String) -> Array:
	var points := PackedVector2Array()
	var colors := PackedColorArray()
	var add := func(part: String, side: float, tri: Array, color: Color) -> void:
		for p: Vector2 in tri:
			points.append(_morph(shape, part, side, p))
			colors.append(color)
	var dark := Color(0.15, 0.08, 0.08)
	# Mouth: a band between an upper and a lower lip line, 12 segments wide.
	for i in 12:
		var x0 := -0.18 + 0.03 * i
		var x1 := x0 + 0.03
		var a := Vector2(x0, -0.18)
		var b := Vector2(x1, -0.18)
		var c := Vector2(x1, -0.2 - 0.02 * (1.0 - pow(x1 / 0.18, 2)))
		var d := Vector2(x0, -0.2 - 0.02 * (1.0 - pow(x0 / 0.18, 2)))
		# Clockwise seen from the camera (+z): Godot's front faces.
		add.call("mouth", 0.0, [a, b, c], Color(0.55, 0.12, 0.15))
		add.call("mouth", 0.0, [a, c, d], Color(0.55, 0.12, 0.15))
	for side: float in [-1.0, 1.0]:
		var center := Vector2(0.17 * side, 0.12)
		for i in 16:
			var t0 := TAU * i / 16.0
			var t1 := TAU * (i + 1) / 16.0
			var p0 := center + Vector2(cos(t0) * 0.07, sin(t0) * 0.045)
			var p1 := center + Vector2(cos(t1) * 0.07, sin(t1) * 0.045)
			add.call("eye", side, [center, p1, p0], dark)
			var cheek := Vector2(0.22 * side, -0.08)
			var q0 := cheek + Vector2(cos(t0), sin(t0)) * 0.05
			var q1 := cheek + Vector2(cos(t1), sin(t1)) * 0.05
			add.call("cheek", side, [cheek, q1, q0], Color(0.95, 0.55, 0.55))
		var brow := [
			Vector2(0.09 * side, 0.22), Vector2(0.25 * side, 0.26), Vector2(0.25 * side, 0.21)
		]
		add.call("brow", side, brow if side > 0 else [brow[0], brow[2], brow[1]], dark)
	var vertices := PackedVector3Array()
	var normals := PackedVector3Array()
	for p in points:
		# On the sphere's surface, a little in front so that flat triangles do not sink into it.
		var z := sqrt(maxf(HEAD_RADIUS * HEAD_RADIUS - p.length_squared(), 0.0)) + 0.012
		vertices.append(Vector3(p.x, p.y, z))
		normals.append(Vector3(p.x, p.y, z).normalized())
	var arrays := []
	arrays.resize(Mesh.ARRAY_MAX)
	arrays[Mesh.ARRAY_VERTEX] = vertices
	arrays[Mesh.ARRAY_NORMAL] = normals
	arrays[Mesh.ARRAY_COLOR] = colors
	return arrays
