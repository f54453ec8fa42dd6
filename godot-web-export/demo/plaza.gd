## The demo's plaza: a crowd of avatars and props, every one scripted by one of the SDK's example
## Wasm modules (guest/examples), spawned from code so the count is one constant. The game side
## does what a V-Sekai world would: flips switches (toggle_prop's `on` property), drives the face
## (face_driver's `express`, a Variant method), and builds a mesh from sphere_mesh's `generate`.
## Per frame it runs no GDScript for the scripted nodes: UgcRuntime drives them all in one crossing.
extends Node3D

const WasmScriptRes := preload("res://addons/ugc_wasm/wasm_script.gd")
const AVATAR_ROWS := 12
const AVATAR_COLUMNS := 20
const SPINNERS := 40
const SWITCHES := 12
## Floating lanterns (drifter: position and rotation bound to guest memory, no host call a frame).
const LANTERNS := 24
## Blend shapes face_driver writes (its SHAPES table), built into the head mesh below.
const FACE_SHAPES := [
	"mouthSmileLeft",
	"mouthSmileRight",
	"eyeSquintLeft",
	"eyeSquintRight",
	"jawOpen",
	"browInnerUp",
	"mouthFrownLeft",
	"mouthFrownRight",
]
const MOODS := [
	{"smile": 1.0},
	{"jaw": 0.9},
	{"surprise": 1.0},
	{"sad": 1.0},
	{"smile": 0.5, "jaw": 0.4},
]

## Switch toggles and spinner turns seen so far (signals the guests emitted), for the HUD.
var toggles := 0
var turns := 0

var _switches: Array[Node] = []
var _mood := 0
var _clock := 0.0

@onready var _face: MeshInstance3D = $Face
@onready var _sphere: MeshInstance3D = $Sphere


func _ready() -> void:
	var avatar_mesh := CapsuleMesh.new()
	avatar_mesh.radius = 0.16
	avatar_mesh.height = 0.8
	avatar_mesh.radial_segments = 8
	avatar_mesh.rings = 2
	var avatar_bob := load("res://demo/modules/avatar_bob.wasm")
	var crowd := Node3D.new()
	crowd.name = "Crowd"
	add_child(crowd)
	for row in AVATAR_ROWS:
		for column in AVATAR_COLUMNS:
			var avatar := MeshInstance3D.new()
			avatar.name = "Avatar%d_%d" % [row, column]
			avatar.mesh = avatar_mesh
			avatar.material_override = _material(Color.from_hsv(randf(), 0.45, 0.9))
			avatar.position = Vector3(column * 0.55 - 5.2, 0.4, -row * 0.6 - 2.5)
			_script(
				avatar,
				avatar_bob,
				{"amplitude": randf_range(0.04, 0.18), "frequency": randf_range(0.6, 2.2)}
			)
			crowd.add_child(avatar)

	var box := BoxMesh.new()
	box.size = Vector3(0.3, 0.3, 0.3)
	var spinner := load("res://demo/modules/c_spinner.wasm")
	var spinner_material := _material(Color(0.95, 0.7, 0.2))
	for i in SPINNERS:
		var prop := MeshInstance3D.new()
		prop.name = "Spinner%d" % i
		prop.mesh = box
		prop.material_override = spinner_material
		var angle := TAU * i / SPINNERS
		prop.position = Vector3(
			cos(angle) * 4.2, 1.6 + 0.2 * sin(angle * 3.0), sin(angle) * 1.6 - 4.0
		)
		_script(prop, spinner, {"speed": randf_range(0.5, 4.0)})
		prop.connect("turned", func(_count: int) -> void: turns += 1)
		crowd.add_child(prop)

	var switch_mesh := CylinderMesh.new()
	switch_mesh.top_radius = 0.18
	switch_mesh.bottom_radius = 0.18
	switch_mesh.height = 0.12
	var toggle := load("res://demo/modules/toggle_prop.wasm")
	for i in SWITCHES:
		var switch := MeshInstance3D.new()
		switch.name = "Switch%d" % i
		switch.mesh = switch_mesh
		switch.material_override = _material(Color(0.3, 0.6, 1.0))
		switch.position = Vector3(i * 0.5 - 2.75, 0.06, 1.2)
		_script(switch, toggle, {"pressed_scale": 1.8})
		switch.connect("toggled", func(_on: bool) -> void: toggles += 1)
		crowd.add_child(switch)
		_switches.append(switch)

	var lantern_mesh := SphereMesh.new()
	lantern_mesh.radius = 0.12
	lantern_mesh.height = 0.24
	lantern_mesh.radial_segments = 8
	lantern_mesh.rings = 4
	var drifter := load("res://demo/modules/drifter.wasm")
	var lantern_material := _material(Color(1.0, 0.85, 0.5))
	for i in LANTERNS:
		var lantern := MeshInstance3D.new()
		lantern.name = "Lantern%d" % i
		lantern.mesh = lantern_mesh
		lantern.material_override = lantern_material
		var tier := floorf(i / 8.0)
		lantern.position = Vector3((i % 8) * 1.4 - 4.9, 2.4 + 0.3 * tier, -1.0 - 1.2 * tier)
		_script(
			lantern, drifter, {"radius": randf_range(0.2, 0.6), "period": randf_range(2.0, 6.0)}
		)
		crowd.add_child(lantern)

	_face.mesh = _head_mesh()
	_sphere.wasm_state_changed.connect(_on_sphere_state)


## The game's own per-frame work: a switch flips every 0.4 s, the face changes mood every 1.5 s.
func _process(delta: float) -> void:
	_clock += delta
	if fmod(_clock, 0.4) < delta:
		var switch: Node = _switches.pick_random()
		if switch.wasm_state == "running":
			switch.set("on", not switch.get("on"))
	if fmod(_clock, 1.5) < delta and _face.wasm_state == "running":
		_face.call_wasm("express", [MOODS[_mood]])
		_mood = (_mood + 1) % MOODS.size()


## sphere_mesh's `generate` answers a Dictionary of packed arrays: the mesh of its node.
func _on_sphere_state(state: String) -> void:
	if state != "running":
		return
	var data: Variant = _sphere.call_wasm("generate", [])
	if not data is Dictionary or not data.has("vertices"):
		return
	var arrays := []
	arrays.resize(Mesh.ARRAY_MAX)
	arrays[Mesh.ARRAY_VERTEX] = data.vertices
	arrays[Mesh.ARRAY_NORMAL] = data.normals
	arrays[Mesh.ARRAY_TEX_UV] = data.uvs
	arrays[Mesh.ARRAY_INDEX] = data.indices
	var mesh := ArrayMesh.new()
	mesh.add_surface_from_arrays(Mesh.PRIMITIVE_TRIANGLES, arrays)
	_sphere.mesh = mesh


static func _script(node: Node, module: Resource, props: Dictionary) -> void:
	node.set_script(WasmScriptRes)
	for key: String in props:
		node.set(key, props[key])
	node.wasm_module = module


static func _material(color: Color) -> StandardMaterial3D:
	var material := StandardMaterial3D.new()
	material.albedo_color = color
	return material


## A head with the blend shapes face_driver drives: each shape moves part of a sphere (mouth
## corners out and up, jaw down, brows up…), so `express` visibly changes the face.
static func _head_mesh() -> ArrayMesh:
	var sphere := SphereMesh.new()
	sphere.radius = 0.5
	sphere.height = 1.1
	sphere.radial_segments = 24
	sphere.rings = 12
	var arrays := sphere.get_mesh_arrays()
	var base: PackedVector3Array = arrays[Mesh.ARRAY_VERTEX]
	var mesh := ArrayMesh.new()
	# Shapes are given as absolute positions: normalized blending mixes them with the base.
	mesh.blend_shape_mode = Mesh.BLEND_SHAPE_MODE_NORMALIZED
	var shapes := []
	for shape: String in FACE_SHAPES:
		mesh.add_blend_shape(shape)
		var moved := PackedVector3Array()
		for v in base:
			moved.append(v + _shape_offset(shape, v))
		var shape_arrays := []
		shape_arrays.resize(Mesh.ARRAY_MAX)
		shape_arrays[Mesh.ARRAY_VERTEX] = moved
		shape_arrays[Mesh.ARRAY_NORMAL] = arrays[Mesh.ARRAY_NORMAL]
		shape_arrays[Mesh.ARRAY_TANGENT] = arrays[Mesh.ARRAY_TANGENT]
		shapes.append(shape_arrays)
	mesh.add_surface_from_arrays(Mesh.PRIMITIVE_TRIANGLES, arrays, shapes)
	return mesh


static func _shape_offset(shape: String, v: Vector3) -> Vector3:
	var front := clampf(v.z * 2.0, 0.0, 1.0)
	var low := clampf(-v.y * 2.5, 0.0, 1.0)
	var high := clampf(v.y * 2.5, 0.0, 1.0)
	var side := signf(v.x) if shape.ends_with("Left") == (v.x < 0.0) else 0.0
	match shape:
		"mouthSmileLeft", "mouthSmileRight":
			return Vector3(side * 0.08, 0.06, 0) * front * low
		"mouthFrownLeft", "mouthFrownRight":
			return Vector3(side * 0.04, -0.07, 0) * front * low
		"eyeSquintLeft", "eyeSquintRight":
			return Vector3(0, -0.04, 0) * front * high
		"jawOpen":
			return Vector3(0, -0.18, 0.04) * low
		"browInnerUp":
			return Vector3(0, 0.09, 0.02) * front * high
	return Vector3.ZERO
