extends RefCounted
## Loaded at run time (no class_name: a global class would change the engine's start-up and so
## every ObjectID the fixtures record) to build a typed Array of a script type.
