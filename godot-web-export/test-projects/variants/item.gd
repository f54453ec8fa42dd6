class_name VariantItem
extends RefCounted
## A script class, so typed containers of a script type (container kind 3) get a fixture.
