@abstract class_name ShapeBase
extends Resource

@abstract func area() -> float
