class_name Greeter extends RefCounted


func greet(who: String) -> String:
	return "hello " + who
