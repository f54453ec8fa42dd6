class_name Leaf
extends "unnamed_middle.gd"
