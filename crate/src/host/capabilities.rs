//! The capability allow-list: which classes, properties and methods a script may touch
//! (docs/CAPABILITIES.md). Everything not listed is refused with `not_allowed`.
//!
//! Rules are per class and inherited along a fixed ancestry table (Godot's own hierarchy for the
//! classes listed). A few names are refused on every class, whatever a rule says, because they
//! are escapes: reflection (`call`, `set`, `get`…) would bypass the per-name rules, and
//! `set_script`, `free`, tree access or signal wiring reach beyond the script's own node.

use super::fail::{fail, Fail};
use super::fxhash::FxHashMap;
use super::names;
use crate::abi::AbiError;
use std::rc::Rc;

/// What a script may do with a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    ReadWrite,
}

/// How a method call is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// Reads state: called at once through the bridge, its result returned to the guest.
    Query,
    /// Changes state: queued in the frame's batch (in order with property writes); returns nil.
    Command,
}

/// The rules of one class (its own; ancestors' rules apply too).
#[derive(Debug, Clone, Default)]
pub struct ClassRules {
    pub parent: Option<String>,
    pub properties: FxHashMap<String, Access>,
    /// Property-name prefixes (`blend_shapes/` covers every `blend_shapes/<name>` whose `<name>`
    /// is one well-formed segment, [`names::is_segment`]: a prefix grants names Godot can have,
    /// not every string that starts with it).
    pub property_prefixes: Vec<(String, Access)>,
    pub methods: FxHashMap<String, MethodKind>,
}

/// Names refused on every class (see the module documentation).
pub const ALWAYS_REFUSED: &[&str] = &[
    "call",
    "callv",
    "call_deferred",
    "set",
    "get",
    "set_deferred",
    "set_indexed",
    "get_indexed",
    "set_script",
    "get_script",
    "script",
    "free",
    "queue_free",
    "connect",
    "disconnect",
    "emit_signal",
    "set_meta",
    "get_meta",
    "add_child",
    "remove_child",
    "get_node",
    "get_parent",
    "get_tree",
    "get_viewport",
    "get_window",
    "propagate_call",
    "replace_by",
    "duplicate",
    "reparent",
    "owner",
];

/// The capability rules in force for one script. Cloning is cheap (the rules are shared until one
/// copy changes them), so thousands of node hosts share one set.
#[derive(Debug, Clone)]
pub struct Capabilities {
    classes: Rc<FxHashMap<String, ClassRules>>,
}

thread_local! {
    /// The default rules, built once per thread.
    static DEFAULT_RULES: Capabilities = Capabilities::build_default_rules();
}

impl Default for Capabilities {
    fn default() -> Self {
        Self::default_rules()
    }
}

use Access::{Read, ReadWrite};
use MethodKind::{Command, Query};

/// (class, parent, properties, property prefixes, methods) of the default rules.
type ClassSpec = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, Access)],
    &'static [(&'static str, Access)],
    &'static [(&'static str, MethodKind)],
);

const NODE3D_PROPERTIES: &[(&str, Access)] = &[
    ("position", ReadWrite),
    ("rotation", ReadWrite),
    ("rotation_degrees", ReadWrite),
    ("scale", ReadWrite),
    ("quaternion", ReadWrite),
    ("basis", ReadWrite),
    ("transform", ReadWrite),
    ("visible", ReadWrite),
    ("global_position", ReadWrite),
    ("global_rotation", ReadWrite),
    ("global_transform", ReadWrite),
];

const NODE3D_METHODS: &[(&str, MethodKind)] = &[
    ("rotate_x", Command),
    ("rotate_y", Command),
    ("rotate_z", Command),
    ("rotate_object_local", Command),
    ("translate", Command),
    ("translate_object_local", Command),
    ("look_at", Command),
    ("to_global", Query),
    ("to_local", Query),
    ("is_visible_in_tree", Query),
];

const DEFAULT_CLASSES: &[ClassSpec] = &[
    (
        "Object",
        None,
        &[],
        &[],
        &[("get_class", Query), ("is_class", Query)],
    ),
    (
        "Node",
        Some("Object"),
        &[("name", Read)],
        &[],
        &[("is_inside_tree", Query)],
    ),
    (
        "Node3D",
        Some("Node"),
        NODE3D_PROPERTIES,
        &[],
        NODE3D_METHODS,
    ),
    (
        "VisualInstance3D",
        Some("Node3D"),
        &[("layers", ReadWrite)],
        &[],
        &[],
    ),
    (
        "GeometryInstance3D",
        Some("VisualInstance3D"),
        &[("transparency", ReadWrite), ("cast_shadow", ReadWrite)],
        &[],
        &[],
    ),
    (
        "MeshInstance3D",
        Some("GeometryInstance3D"),
        &[],
        &[("blend_shapes/", ReadWrite)],
        &[
            ("get_blend_shape_count", Query),
            ("find_blend_shape_by_name", Query),
            ("get_blend_shape_value", Query),
            ("set_blend_shape_value", Command),
        ],
    ),
    (
        "Label3D",
        Some("GeometryInstance3D"),
        &[("text", ReadWrite), ("modulate", ReadWrite)],
        &[],
        &[],
    ),
    (
        "Skeleton3D",
        Some("Node3D"),
        &[],
        &[],
        &[
            ("get_bone_count", Query),
            ("find_bone", Query),
            ("get_bone_pose_position", Query),
            ("get_bone_pose_rotation", Query),
            ("get_bone_pose_scale", Query),
            ("set_bone_pose_position", Command),
            ("set_bone_pose_rotation", Command),
            ("set_bone_pose_scale", Command),
        ],
    ),
    // Node3D subclasses with nothing of their own allowed: reachable through Node3D's rules.
    ("Marker3D", Some("Node3D"), &[], &[], &[]),
    ("BoneAttachment3D", Some("Node3D"), &[], &[], &[]),
    ("CollisionObject3D", Some("Node3D"), &[], &[], &[]),
    ("Area3D", Some("CollisionObject3D"), &[], &[], &[]),
    ("PhysicsBody3D", Some("CollisionObject3D"), &[], &[], &[]),
    ("StaticBody3D", Some("PhysicsBody3D"), &[], &[], &[]),
    ("AnimatableBody3D", Some("StaticBody3D"), &[], &[], &[]),
    ("CharacterBody3D", Some("PhysicsBody3D"), &[], &[], &[]),
    ("RigidBody3D", Some("PhysicsBody3D"), &[], &[], &[]),
    (
        "CanvasItem",
        Some("Node"),
        &[
            ("visible", ReadWrite),
            ("modulate", ReadWrite),
            ("self_modulate", ReadWrite),
        ],
        &[],
        &[],
    ),
    (
        "Node2D",
        Some("CanvasItem"),
        &[
            ("position", ReadWrite),
            ("rotation", ReadWrite),
            ("rotation_degrees", ReadWrite),
            ("scale", ReadWrite),
            ("skew", ReadWrite),
            ("transform", ReadWrite),
            ("global_position", ReadWrite),
        ],
        &[],
        &[("rotate", Command), ("translate", Command)],
    ),
    (
        "Sprite2D",
        Some("Node2D"),
        &[
            ("frame", ReadWrite),
            ("flip_h", ReadWrite),
            ("flip_v", ReadWrite),
        ],
        &[],
        &[],
    ),
];

/// Longest ancestry walked (a guard against a cycle in custom rules).
const MAX_ANCESTRY: usize = 64;

impl Capabilities {
    /// The default rules (docs/CAPABILITIES.md).
    pub fn default_rules() -> Self {
        DEFAULT_RULES.with(Capabilities::clone)
    }

    fn build_default_rules() -> Self {
        let classes = DEFAULT_CLASSES
            .iter()
            .map(|(name, parent, props, prefixes, methods)| {
                let rules = ClassRules {
                    parent: parent.map(str::to_owned),
                    properties: props.iter().map(|(n, a)| (n.to_string(), *a)).collect(),
                    property_prefixes: prefixes.iter().map(|(n, a)| (n.to_string(), *a)).collect(),
                    methods: methods.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
                };
                (name.to_string(), rules)
            })
            .collect();
        Capabilities {
            classes: Rc::new(classes),
        }
    }

    /// No class at all: everything but the script's own declared properties is refused.
    pub fn none() -> Self {
        Capabilities {
            classes: Rc::default(),
        }
    }

    /// Adds or replaces one class's rules (an embedding game widening the defaults).
    pub fn set_class(&mut self, class: impl Into<String>, rules: ClassRules) {
        Rc::make_mut(&mut self.classes).insert(class.into(), rules);
    }

    /// The rules as JSON, the one description the JS runtime (`rt.capabilities()`) and the Godot
    /// addon (which enforces them again before applying a batch) read:
    /// `{ classes: { Node3D: { parent: "Node", properties: { position: "rw" }, property_prefixes:
    /// { "blend_shapes/": "rw" }, methods: { rotate_y: "command", to_global: "query" } }, … },
    /// always_refused: [ … ] }`. Access is `"r"` or `"rw"`; a class without a parent has no
    /// `parent` key; keys are sorted, so the output is stable. Names starting with `__ugc_` are
    /// refused too (not listed: a prefix, not a name).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value};
        fn access(a: Access) -> Value {
            Value::from(match a {
                Read => "r",
                ReadWrite => "rw",
            })
        }
        let sorted = |pairs: Vec<(&String, Value)>| {
            let mut pairs = pairs;
            pairs.sort_by(|a, b| a.0.cmp(b.0));
            pairs
                .into_iter()
                .map(|(k, v)| (k.clone(), v))
                .collect::<Map<_, _>>()
        };
        let mut names: Vec<&String> = self.classes.keys().collect();
        names.sort();
        let classes: Map<String, Value> = names
            .into_iter()
            .map(|name| {
                let rules = &self.classes[name];
                let mut class = Map::new();
                if let Some(parent) = &rules.parent {
                    class.insert("parent".into(), Value::from(parent.as_str()));
                }
                let properties = rules.properties.iter().map(|(n, a)| (n, access(*a)));
                class.insert(
                    "properties".into(),
                    Value::Object(sorted(properties.collect())),
                );
                let prefixes = rules.property_prefixes.iter().map(|(n, a)| (n, access(*a)));
                class.insert(
                    "property_prefixes".into(),
                    Value::Object(sorted(prefixes.collect())),
                );
                let methods = rules.methods.iter().map(|(n, k)| {
                    let kind = match k {
                        Command => "command",
                        Query => "query",
                    };
                    (n, Value::from(kind))
                });
                class.insert("methods".into(), Value::Object(sorted(methods.collect())));
                (name.clone(), Value::Object(class))
            })
            .collect();
        serde_json::json!({
            "classes": classes,
            "always_refused": ALWAYS_REFUSED,
        })
    }

    pub fn check_get(&self, class: &str, property: &str) -> Result<(), Fail> {
        self.property_access(class, property).map(drop)
    }

    pub fn check_set(&self, class: &str, property: &str) -> Result<(), Fail> {
        match self.property_access(class, property)? {
            ReadWrite => Ok(()),
            Read => fail(
                AbiError::NotAllowed,
                format!("property '{property}' of {class} is read-only for scripts"),
            ),
        }
    }

    pub fn check_call(&self, class: &str, method: &str) -> Result<MethodKind, Fail> {
        refuse_escape(class, method)?;
        self.ancestry(class)
            .find_map(|rules| rules.methods.get(method).copied())
            .ok_or_else(|| {
                Fail::new(
                    AbiError::NotAllowed,
                    format!("method '{method}' of {class} is not in the capability allow-list"),
                )
            })
    }

    fn property_access(&self, class: &str, property: &str) -> Result<Access, Fail> {
        refuse_escape(class, property)?;
        self.ancestry(class)
            .find_map(|rules| {
                rules.properties.get(property).copied().or_else(|| {
                    rules
                        .property_prefixes
                        .iter()
                        .find(|(prefix, _)| {
                            property
                                .strip_prefix(prefix.as_str())
                                .is_some_and(names::is_segment)
                        })
                        .map(|(_, access)| *access)
                })
            })
            .ok_or_else(|| self.property_refused(class, property))
    }

    /// Why `property` is refused: a prefix the rules grant with a malformed segment after it is
    /// told apart from a name no rule mentions, so the script author sees what to fix.
    fn property_refused(&self, class: &str, property: &str) -> Fail {
        let prefix = self.ancestry(class).find_map(|rules| {
            rules
                .property_prefixes
                .iter()
                .find(|(prefix, _)| property.starts_with(prefix.as_str()))
        });
        let message = match prefix {
            Some((prefix, _)) => format!(
                "property '{property}' of {class}: '{prefix}' is allowed only before one name \
                 segment of 1 to {} bytes without '/', ':' or control characters",
                names::MAX_SEGMENT_LEN
            ),
            None => format!("property '{property}' of {class} is not in the capability allow-list"),
        };
        Fail::new(AbiError::NotAllowed, message)
    }

    /// The rules of `class` and its ancestors, nearest first.
    fn ancestry<'a>(&'a self, class: &str) -> impl Iterator<Item = &'a ClassRules> + 'a {
        let mut next = self.classes.get(class);
        std::iter::from_fn(move || {
            let rules = next?;
            next = rules.parent.as_deref().and_then(|p| self.classes.get(p));
            Some(rules)
        })
        .take(MAX_ANCESTRY)
    }
}

fn refuse_escape(class: &str, name: &str) -> Result<(), Fail> {
    if ALWAYS_REFUSED.contains(&name) || name.starts_with("__ugc_") {
        return fail(
            AbiError::NotAllowed,
            format!("'{name}' is never allowed for scripts (on {class})"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inherited_rules_apply_to_subclasses() {
        let caps = Capabilities::default_rules();
        caps.check_set("MeshInstance3D", "position").unwrap();
        caps.check_set("CharacterBody3D", "rotation").unwrap();
        caps.check_set("MeshInstance3D", "blend_shapes/smile")
            .unwrap();
        assert_eq!(
            caps.check_call("MeshInstance3D", "set_blend_shape_value"),
            Ok(MethodKind::Command)
        );
        assert_eq!(
            caps.check_call("Node3D", "to_global"),
            Ok(MethodKind::Query)
        );
    }

    #[test]
    fn escapes_unknown_classes_and_read_only_properties_are_refused() {
        let caps = Capabilities::default_rules();
        for name in [
            "call",
            "callv",
            "set_script",
            "free",
            "get_tree",
            "__ugc_fuel",
        ] {
            let e = caps.check_call("Node3D", name).unwrap_err();
            assert_eq!(e.code, AbiError::NotAllowed);
            assert!(e.message.contains(name), "{}", e.message);
        }
        for class in [
            "JavaScriptBridge",
            "OS",
            "FileAccess",
            "HTTPRequest",
            "ResourceLoader",
        ] {
            let e = caps.check_call(class, "get_class").unwrap_err();
            assert_eq!(e.code, AbiError::NotAllowed);
        }
        assert_eq!(
            caps.check_set("Node", "name").unwrap_err().code,
            AbiError::NotAllowed
        );
        caps.check_get("Node", "name").unwrap();
        // A prefix alone is not a property.
        assert!(caps.check_get("MeshInstance3D", "blend_shapes/").is_err());
        assert!(Capabilities::none()
            .check_get("Node3D", "position")
            .is_err());
    }

    #[test]
    fn json_describes_exactly_the_rules_checked() {
        let caps = Capabilities::default_rules();
        let json = caps.to_json();
        let node3d = &json["classes"]["Node3D"];
        assert_eq!(node3d["parent"], "Node");
        assert_eq!(node3d["properties"]["position"], "rw");
        assert_eq!(node3d["methods"]["rotate_y"], "command");
        assert_eq!(node3d["methods"]["to_global"], "query");
        assert!(json["classes"]["Object"].get("parent").is_none());
        assert_eq!(
            json["classes"]["MeshInstance3D"]["property_prefixes"]["blend_shapes/"],
            "rw"
        );
        let refused: Vec<&str> = json["always_refused"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(refused, ALWAYS_REFUSED);
        // Every listed grant is one the checks allow, with the same access and kind.
        for (class, rules) in json["classes"].as_object().unwrap() {
            for (name, a) in rules["properties"].as_object().unwrap() {
                caps.check_get(class, name).unwrap();
                assert_eq!(
                    caps.check_set(class, name).is_ok(),
                    a == "rw",
                    "{class}.{name}"
                );
            }
            for (name, k) in rules["methods"].as_object().unwrap() {
                let kind = caps.check_call(class, name).unwrap();
                assert_eq!(
                    kind == MethodKind::Command,
                    k == "command",
                    "{class}.{name}"
                );
            }
            let prefixes = rules["property_prefixes"].as_object().unwrap();
            for (prefix, a) in prefixes {
                let name = format!("{prefix}x");
                caps.check_get(class, &name).unwrap();
                assert_eq!(caps.check_set(class, &name).is_ok(), a == "rw");
            }
        }
        assert_eq!(json, Capabilities::default_rules().to_json(), "stable");
    }

    #[test]
    fn a_prefix_grants_only_well_formed_segments() {
        let caps = Capabilities::default_rules();
        let longest = format!("blend_shapes/{}", "s".repeat(names::MAX_SEGMENT_LEN));
        for ok in [
            "blend_shapes/smile",
            "blend_shapes/Key 1.001",
            longest.as_str(),
        ] {
            caps.check_get("MeshInstance3D", ok).unwrap();
            caps.check_set("MeshInstance3D", ok).unwrap();
        }
        let too_long = format!("{longest}s");
        for bad in [
            "blend_shapes/",
            "blend_shapes/a/b",
            "blend_shapes/a:b",
            "blend_shapes/a\0b",
            "blend_shapes/a\nb",
            too_long.as_str(),
        ] {
            for e in [
                caps.check_get("MeshInstance3D", bad).unwrap_err(),
                caps.check_set("MeshInstance3D", bad).unwrap_err(),
            ] {
                assert_eq!(e.code, AbiError::NotAllowed, "{bad:?}");
                assert!(e.message.contains("name segment"), "{}", e.message);
            }
        }
        // Custom prefixes follow the same rule.
        let mut caps = Capabilities::none();
        caps.set_class(
            "Thing",
            ClassRules {
                property_prefixes: vec![("tag/".into(), Access::Read)],
                ..Default::default()
            },
        );
        caps.check_get("Thing", "tag/x").unwrap();
        assert!(caps.check_get("Thing", "tag/x/y").is_err());
    }

    #[test]
    fn a_cycle_in_custom_rules_terminates() {
        let mut caps = Capabilities::none();
        for (c, p) in [("A", "B"), ("B", "A")] {
            caps.set_class(
                c,
                ClassRules {
                    parent: Some(p.into()),
                    ..Default::default()
                },
            );
        }
        assert!(caps.check_get("A", "x").is_err());
    }
}
