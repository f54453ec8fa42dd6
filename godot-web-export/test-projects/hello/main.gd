extends Node


func _ready() -> void:
	print("hello from _ready: ", Engine.get_version_info()["string"])
