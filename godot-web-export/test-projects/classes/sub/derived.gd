class_name Derived
extends "res://tool_base.gd"
