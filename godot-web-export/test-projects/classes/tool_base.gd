@tool
class_name ToolBase
extends Node
