extends Node
## Prints `UGC_CLASS_LIST <ConfigFile text as JSON>`: the global class list rebuilt from what the
## engine itself parsed out of every script (not from the cache file), encoded by Godot's own
## ConfigFile. The PCK builder's cache must match it byte for byte. Also uses the classes.

const SCRIPTS := [
	"res://greeter.gd",
	"res://main.gd",
	"res://plain.gd",
	"res://sub/derived.gd",
	"res://sub/leaf.gd",
	"res://sub/shape_base.gd",
	"res://sub/unnamed_middle.gd",
	"res://tool_base.gd",
]


func _ready() -> void:
	print("UGC_GREETING ", Greeter.new().greet("classes"))
	var leaf := Leaf.new()
	print("UGC_LEAF_IS_TOOLBASE ", leaf is ToolBase)
	leaf.free()
	var list: Array[Dictionary] = []
	for path in SCRIPTS:
		var script: Script = load(path)
		if script.get_global_name() == &"":
			continue
		(
			list
			. append(
				{
					"base": _base_name(script),
					"class": script.get_global_name(),
					"icon": "",
					"is_abstract": script.is_abstract(),
					"is_tool": script.is_tool(),
					"language": &"GDScript",
					"path": path,
				}
			)
		)
	list.sort_custom(func(a, b): return String(a["class"]) < String(b["class"]))
	var cfg := ConfigFile.new()
	cfg.set_value("", "list", list)
	# JSON keeps the multi-line text on one console line.
	print("UGC_CLASS_LIST ", JSON.stringify(cfg.encode_to_text()))
	print("UGC_RUNTIME_LIST ", JSON.stringify(ProjectSettings.get_global_class_list()))
	get_tree().quit()


## The editor's rule: the nearest named ancestor script, else the native base class.
func _base_name(script: Script) -> StringName:
	var base := script.get_base_script()
	while base != null:
		if base.get_global_name() != &"":
			return base.get_global_name()
		base = base.get_base_script()
	return script.get_instance_base_type()
