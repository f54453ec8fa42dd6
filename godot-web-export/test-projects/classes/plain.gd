class_name Plain
