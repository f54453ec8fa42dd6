//! The script manifest: the `ugc_script` custom section's JSON (docs/ABI.md), parsed and
//! validated into typed declarations of properties, signals and methods.

use crate::abi::{lifecycle_export, MANIFEST_SECTION, MAX_NAME_LEN};
use crate::variant::{self, type_id as t, Variant};
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;

/// Largest manifest accepted, in bytes.
pub const MAX_MANIFEST_SIZE: usize = 64 * 1024;
/// Most declarations of each kind.
pub const MAX_DECLARATIONS: usize = 256;
/// Longest `hint_string`, in bytes: the host hands it to Godot's property list for every node
/// using the script, so one long string would be copied per node (an `enum` hint of a hundred
/// options fits).
pub const MAX_HINT_STRING_LEN: usize = 4096;

/// A manifest that could not be used: a stable `code`, a message, and `path`, the JSON location
/// (`properties[2].default`) or `""` for the whole document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ManifestError {
    pub code: &'static str,
    pub message: String,
    pub path: String,
}

impl ManifestError {
    fn new(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        ManifestError {
            code,
            // Messages quote the manifest's strings (a type or hint name), which may be as long as
            // the manifest itself.
            message: super::fail::bounded(message.into(), super::fail::MAX_MESSAGE_LEN),
            path: path.into(),
        }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.code, self.message)
        } else {
            write!(f, "{} at {}: {}", self.code, self.path, self.message)
        }
    }
}

impl std::error::Error for ManifestError {}

/// A declared, typed script property (shown on the node; stored by the host).
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyDecl {
    pub name: String,
    /// Godot `Variant::Type` number; NIL means "any Variant".
    pub type_id: u32,
    pub default: Variant,
    /// Godot property hint in snake_case (`none`, `range`, …).
    pub hint: String,
    pub hint_string: String,
}

/// A declared argument of a signal or method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    pub type_id: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalDecl {
    pub name: String,
    pub args: Vec<ArgDecl>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodDecl {
    pub name: String,
    pub args: Vec<ArgDecl>,
    /// The declared return type (NIL for none / any).
    pub return_type: u32,
}

/// How the runtime instantiates a module for the nodes using it (docs/ABI.md "Instancing").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Instancing {
    /// One instance per node: guest statics are per node (the default).
    #[default]
    Node,
    /// One instance serves every node using the module; per-node state is indexed by
    /// `ugc.node_slot()`.
    Shared,
}

impl Instancing {
    /// The manifest spelling (`"node"`, `"shared"`).
    pub fn name(self) -> &'static str {
        match self {
            Instancing::Node => "node",
            Instancing::Shared => "shared",
        }
    }
}

/// A validated manifest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Manifest {
    /// The class the script expects to be attached to (`Node` when not given).
    pub extends: String,
    pub instancing: Instancing,
    pub properties: Vec<PropertyDecl>,
    pub signals: Vec<SignalDecl>,
    pub methods: Vec<MethodDecl>,
}

// The JSON shape, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    instancing: Option<String>,
    #[serde(default)]
    properties: Vec<RawProperty>,
    #[serde(default)]
    signals: Vec<RawSignal>,
    #[serde(default)]
    methods: Vec<RawMethod>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProperty {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    default: Option<serde_json::Value>,
    #[serde(default)]
    hint: Option<String>,
    #[serde(default)]
    hint_string: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArg {
    name: String,
    #[serde(rename = "type", default)]
    ty: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    name: String,
    #[serde(default)]
    args: Vec<RawArg>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMethod {
    name: String,
    #[serde(default)]
    args: Vec<RawArg>,
    #[serde(rename = "return", default)]
    ret: Option<String>,
}

/// Godot's property hints (`PropertyHint`), snake_case without the `PROPERTY_HINT_` prefix.
const HINTS: &[&str] = &[
    "none",
    "range",
    "enum",
    "enum_suggestion",
    "exp_easing",
    "link",
    "flags",
    "layers_2d_render",
    "layers_2d_physics",
    "layers_2d_navigation",
    "layers_3d_render",
    "layers_3d_physics",
    "layers_3d_navigation",
    "file",
    "dir",
    "global_file",
    "global_dir",
    "resource_type",
    "multiline_text",
    "expression",
    "placeholder_text",
    "color_no_alpha",
    "object_id",
    "type_string",
    "object_too_big",
    "node_path_valid_types",
    "save_file",
    "global_save_file",
    "int_is_objectid",
    "int_is_pointer",
    "array_type",
    "dictionary_type",
    "locale_id",
    "localizable_string",
    "node_type",
    "hide_quaternion_edit",
    "password",
    "tool_button",
    "oneshot",
];

/// Godot's Variant type names, by type number.
const TYPE_NAMES: &[(&str, u32)] = &[
    ("Variant", t::NIL),
    ("bool", t::BOOL),
    ("int", t::INT),
    ("float", t::FLOAT),
    ("String", t::STRING),
    ("Vector2", t::VECTOR2),
    ("Vector2i", t::VECTOR2I),
    ("Rect2", t::RECT2),
    ("Rect2i", t::RECT2I),
    ("Vector3", t::VECTOR3),
    ("Vector3i", t::VECTOR3I),
    ("Transform2D", t::TRANSFORM2D),
    ("Vector4", t::VECTOR4),
    ("Vector4i", t::VECTOR4I),
    ("Plane", t::PLANE),
    ("Quaternion", t::QUATERNION),
    ("AABB", t::AABB),
    ("Basis", t::BASIS),
    ("Transform3D", t::TRANSFORM3D),
    ("Projection", t::PROJECTION),
    ("Color", t::COLOR),
    ("StringName", t::STRING_NAME),
    ("NodePath", t::NODE_PATH),
    ("Object", t::OBJECT),
    ("Dictionary", t::DICTIONARY),
    ("Array", t::ARRAY),
    ("PackedByteArray", t::PACKED_BYTE_ARRAY),
    ("PackedInt32Array", t::PACKED_INT32_ARRAY),
    ("PackedInt64Array", t::PACKED_INT64_ARRAY),
    ("PackedFloat32Array", t::PACKED_FLOAT32_ARRAY),
    ("PackedFloat64Array", t::PACKED_FLOAT64_ARRAY),
    ("PackedStringArray", t::PACKED_STRING_ARRAY),
    ("PackedVector2Array", t::PACKED_VECTOR2_ARRAY),
    ("PackedVector3Array", t::PACKED_VECTOR3_ARRAY),
    ("PackedColorArray", t::PACKED_COLOR_ARRAY),
    ("PackedVector4Array", t::PACKED_VECTOR4_ARRAY),
];

/// The type number of a Godot type name (`"float"` → 3).
pub fn type_from_name(name: &str) -> Option<u32> {
    TYPE_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, id)| *id)
}

/// The Godot type name of a type number.
pub fn type_name(id: u32) -> &'static str {
    TYPE_NAMES
        .iter()
        .find(|(_, i)| *i == id)
        .map_or("Variant", |(n, _)| n)
}

impl Manifest {
    /// Parses and validates manifest JSON.
    pub fn parse(json: &[u8]) -> Result<Manifest, ManifestError> {
        if json.len() > MAX_MANIFEST_SIZE {
            return Err(ManifestError::new(
                "too_large",
                "",
                format!("{} bytes (max {MAX_MANIFEST_SIZE})", json.len()),
            ));
        }
        let raw: RawManifest = serde_json::from_slice(json).map_err(|e| {
            ManifestError::new(
                "bad_json",
                "",
                format!("{e} (line {}, column {})", e.line(), e.column()),
            )
        })?;
        raw.validate()
    }

    /// The manifest of a module: its `ugc_script` custom section, or an empty manifest when the
    /// module has none. A second `ugc_script` section is an error (which one would count?).
    pub fn from_module(wasm: &[u8]) -> Result<Manifest, ManifestError> {
        let mut found = None;
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            let payload = payload.map_err(|e| {
                ManifestError::new("bad_module", "", format!("cannot read the module: {e}"))
            })?;
            if let wasmparser::Payload::CustomSection(section) = payload {
                if section.name() == MANIFEST_SECTION {
                    if found.is_some() {
                        return Err(ManifestError::new(
                            "duplicate_section",
                            "",
                            format!("more than one '{MANIFEST_SECTION}' custom section"),
                        ));
                    }
                    found = Some(section.data().to_vec());
                }
            }
        }
        match found {
            Some(json) => Manifest::parse(&json),
            None => Ok(Manifest {
                extends: "Node".into(),
                ..Default::default()
            }),
        }
    }

    pub fn property(&self, name: &str) -> Option<&PropertyDecl> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub fn signal(&self, name: &str) -> Option<&SignalDecl> {
        self.signals.iter().find(|s| s.name == name)
    }

    pub fn method(&self, name: &str) -> Option<&MethodDecl> {
        self.methods.iter().find(|m| m.name == name)
    }
}

impl RawManifest {
    fn validate(self) -> Result<Manifest, ManifestError> {
        for (what, n) in [
            ("properties", self.properties.len()),
            ("signals", self.signals.len()),
            ("methods", self.methods.len()),
        ] {
            if n > MAX_DECLARATIONS {
                return Err(ManifestError::new(
                    "too_many",
                    what,
                    format!("{n} declarations (max {MAX_DECLARATIONS})"),
                ));
            }
        }
        let extends = match self.extends {
            Some(class) => {
                check_identifier(&class, "extends")?;
                class
            }
            None => "Node".into(),
        };
        let instancing = match self.instancing.as_deref() {
            None | Some("node") => Instancing::Node,
            Some("shared") => Instancing::Shared,
            Some(other) => {
                return Err(ManifestError::new(
                    "bad_instancing",
                    "instancing",
                    format!("'{other}' is not an instancing mode (\"node\" or \"shared\")"),
                ))
            }
        };

        let mut seen = HashSet::new();
        let mut properties = Vec::with_capacity(self.properties.len());
        for (i, p) in self.properties.into_iter().enumerate() {
            let path = format!("properties[{i}]");
            check_identifier(&p.name, &format!("{path}.name"))?;
            unique(&mut seen, "property", &p.name, &path)?;
            let type_id = parse_type(&p.ty, &format!("{path}.type"))?;
            let default = match &p.default {
                Some(json) => default_value(type_id, json)
                    .map_err(|m| ManifestError::new("bad_default", format!("{path}.default"), m))?,
                None => zero_value(type_id),
            };
            let hint = p.hint.unwrap_or_else(|| "none".into());
            if !HINTS.contains(&hint.as_str()) {
                return Err(ManifestError::new(
                    "unknown_hint",
                    format!("{path}.hint"),
                    format!("'{hint}' is not a Godot property hint"),
                ));
            }
            let hint_string = p.hint_string.unwrap_or_default();
            if hint_string.len() > MAX_HINT_STRING_LEN {
                return Err(ManifestError::new(
                    "too_large",
                    format!("{path}.hint_string"),
                    format!("{} bytes (max {MAX_HINT_STRING_LEN})", hint_string.len()),
                ));
            }
            properties.push(PropertyDecl {
                name: p.name,
                type_id,
                default,
                hint,
                hint_string,
            });
        }

        let mut seen = HashSet::new();
        let mut signals = Vec::with_capacity(self.signals.len());
        for (i, s) in self.signals.into_iter().enumerate() {
            let path = format!("signals[{i}]");
            check_identifier(&s.name, &format!("{path}.name"))?;
            unique(&mut seen, "signal", &s.name, &path)?;
            let args = parse_args(s.args, &path)?;
            signals.push(SignalDecl { name: s.name, args });
        }

        let mut seen = HashSet::new();
        let mut methods = Vec::with_capacity(self.methods.len());
        for (i, m) in self.methods.into_iter().enumerate() {
            let path = format!("methods[{i}]");
            check_identifier(&m.name, &format!("{path}.name"))?;
            if lifecycle_export(&m.name).is_some() {
                return Err(ManifestError::new(
                    "reserved_name",
                    format!("{path}.name"),
                    format!("'{}' is a lifecycle export, not a method", m.name),
                ));
            }
            unique(&mut seen, "method", &m.name, &path)?;
            let args = parse_args(m.args, &path)?;
            let return_type = match &m.ret {
                Some(ty) => parse_type(ty, &format!("{path}.return"))?,
                None => t::NIL,
            };
            methods.push(MethodDecl {
                name: m.name,
                args,
                return_type,
            });
        }

        Ok(Manifest {
            extends,
            instancing,
            properties,
            signals,
            methods,
        })
    }
}

fn parse_args(args: Vec<RawArg>, path: &str) -> Result<Vec<ArgDecl>, ManifestError> {
    let mut seen = HashSet::new();
    args.into_iter()
        .enumerate()
        .map(|(j, a)| {
            let path = format!("{path}.args[{j}]");
            check_identifier(&a.name, &format!("{path}.name"))?;
            unique(&mut seen, "argument", &a.name, &path)?;
            let type_id = match &a.ty {
                Some(ty) => parse_type(ty, &format!("{path}.type"))?,
                None => t::NIL,
            };
            Ok(ArgDecl {
                name: a.name,
                type_id,
            })
        })
        .collect()
}

fn parse_type(name: &str, path: &str) -> Result<u32, ManifestError> {
    type_from_name(name).ok_or_else(|| {
        ManifestError::new(
            "unknown_type",
            path,
            format!("'{name}' is not a Godot Variant type name"),
        )
    })
}

fn unique(
    seen: &mut HashSet<String>,
    what: &str,
    name: &str,
    path: &str,
) -> Result<(), ManifestError> {
    if seen.insert(name.to_owned()) {
        Ok(())
    } else {
        Err(ManifestError::new(
            "duplicate_name",
            path,
            format!("{what} '{name}' is declared twice"),
        ))
    }
}

/// A GDScript identifier of at most [`MAX_NAME_LEN`] bytes (the ABI's cap on names, so every
/// declared name can be passed back through the ABI), not in the reserved `__ugc_` namespace.
fn check_identifier(name: &str, path: &str) -> Result<(), ManifestError> {
    if name.len() > MAX_NAME_LEN {
        // The length, not the name: the message is kept and shown.
        return Err(ManifestError::new(
            "bad_name",
            path,
            format!("a name is at most {MAX_NAME_LEN} bytes, got {}", name.len()),
        ));
    }
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__ugc_");
    if ok {
        Ok(())
    } else {
        Err(ManifestError::new(
            "bad_name",
            path,
            format!("'{name}' is not a valid identifier"),
        ))
    }
}

/// Godot's default value of a type (what a property without `default` starts as).
pub fn zero_value(type_id: u32) -> Variant {
    // Every supported type has a JSON-free zero; the converter builds it from `null`.
    default_value(type_id, &serde_json::Value::Null).unwrap_or(Variant::Nil)
}

/// Converts a JSON default to a value of the declared type. `null` gives the type's zero value.
fn default_value(type_id: u32, json: &serde_json::Value) -> Result<Variant, String> {
    use serde_json::Value as J;
    let null = json.is_null();
    let floats = |n: usize| -> Result<Vec<f32>, String> {
        if null {
            return Ok(vec![0.0; n]);
        }
        let items = json
            .as_array()
            .ok_or_else(|| format!("expected an array of {n} numbers"))?;
        if items.len() != n {
            return Err(format!("expected {n} numbers, got {}", items.len()));
        }
        items
            .iter()
            .map(|v| {
                v.as_f64()
                    .map(|f| f as f32)
                    .ok_or_else(|| "expected a number".to_owned())
            })
            .collect()
    };
    let ints = |n: usize| -> Result<Vec<i32>, String> {
        if null {
            return Ok(vec![0; n]);
        }
        let items = json
            .as_array()
            .ok_or_else(|| format!("expected an array of {n} integers"))?;
        if items.len() != n {
            return Err(format!("expected {n} integers, got {}", items.len()));
        }
        items
            .iter()
            .map(|v| {
                v.as_i64()
                    .and_then(|i| i32::try_from(i).ok())
                    .ok_or_else(|| "expected a 32-bit integer".to_owned())
            })
            .collect()
    };
    let string = || -> Result<String, String> {
        match json {
            J::Null => Ok(String::new()),
            J::String(s) => Ok(s.clone()),
            _ => Err("expected a string".into()),
        }
    };
    Ok(match type_id {
        t::NIL => json_to_variant(json, 0)?,
        t::BOOL => Variant::Bool(match json {
            J::Null => false,
            J::Bool(b) => *b,
            _ => return Err("expected true or false".into()),
        }),
        t::INT => Variant::Int(if null {
            0
        } else {
            json.as_i64().ok_or("expected an integer")?
        }),
        t::FLOAT => Variant::Float(if null {
            0.0
        } else {
            json.as_f64().ok_or("expected a number")?
        }),
        t::STRING => Variant::String(string()?),
        t::STRING_NAME => Variant::StringName(string()?),
        t::NODE_PATH => Variant::NodePath(Box::new(super::raw::parse_node_path(&string()?))),
        t::VECTOR2 => {
            let f = floats(2)?;
            Variant::Vector2(variant::Vector2 { x: f[0], y: f[1] })
        }
        t::VECTOR2I => {
            let i = ints(2)?;
            Variant::Vector2i(variant::Vector2i { x: i[0], y: i[1] })
        }
        t::VECTOR3 => {
            let f = floats(3)?;
            Variant::Vector3(variant::Vector3 {
                x: f[0],
                y: f[1],
                z: f[2],
            })
        }
        t::VECTOR3I => {
            let i = ints(3)?;
            Variant::Vector3i(variant::Vector3i {
                x: i[0],
                y: i[1],
                z: i[2],
            })
        }
        t::VECTOR4 => {
            let f = floats(4)?;
            Variant::Vector4(variant::Vector4 {
                x: f[0],
                y: f[1],
                z: f[2],
                w: f[3],
            })
        }
        t::QUATERNION => {
            let f = if null {
                vec![0.0, 0.0, 0.0, 1.0]
            } else {
                floats(4)?
            };
            Variant::Quaternion(variant::Quaternion {
                x: f[0],
                y: f[1],
                z: f[2],
                w: f[3],
            })
        }
        t::COLOR => {
            // [r, g, b] or [r, g, b, a]; Godot's default Color is opaque black.
            let f = match json.as_array().map(Vec::len) {
                Some(3) => {
                    let mut f = floats_of(json)?;
                    f.push(1.0);
                    f
                }
                _ if null => vec![0.0, 0.0, 0.0, 1.0],
                _ => floats(4)?,
            };
            Variant::Color(variant::Color {
                r: f[0],
                g: f[1],
                b: f[2],
                a: f[3],
            })
        }
        t::ARRAY => match json {
            J::Null => Variant::array(Vec::new()),
            J::Array(_) => json_to_variant(json, 0)?,
            _ => return Err("expected an array".into()),
        },
        t::DICTIONARY => match json {
            J::Null => Variant::dictionary(Vec::new()),
            J::Object(_) => json_to_variant(json, 0)?,
            _ => return Err("expected an object".into()),
        },
        t::PACKED_INT32_ARRAY if null => Variant::PackedInt32Array(Vec::new()),
        t::PACKED_FLOAT32_ARRAY if null => Variant::PackedFloat32Array(Vec::new()),
        t::PACKED_VECTOR3_ARRAY if null => Variant::PackedVector3Array(Vec::new()),
        t::PACKED_STRING_ARRAY => match json {
            J::Null => Variant::PackedStringArray(Vec::new()),
            J::Array(items) => Variant::PackedStringArray(
                items
                    .iter()
                    .map(|s| s.as_str().map(str::to_owned).ok_or("expected strings"))
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err("expected an array of strings".into()),
        },
        other if null => {
            // Types without a JSON form start as Godot's zero value, via the codec's layout.
            zero_without_json(other).ok_or_else(|| {
                format!("properties of type {} are not supported", type_name(other))
            })?
        }
        other => {
            return Err(format!(
                "a default for type {} cannot be written in JSON; leave it out",
                type_name(other)
            ))
        }
    })
}

fn floats_of(json: &serde_json::Value) -> Result<Vec<f32>, String> {
    json.as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            v.as_f64()
                .map(|f| f as f32)
                .ok_or_else(|| "expected a number".into())
        })
        .collect()
}

fn zero_without_json(type_id: u32) -> Option<Variant> {
    Some(match type_id {
        t::RECT2 => Variant::Rect2(Default::default()),
        t::RECT2I => Variant::Rect2i(Default::default()),
        t::TRANSFORM2D => Variant::Transform2D(variant::Transform2D {
            columns: [
                variant::Vector2 { x: 1.0, y: 0.0 },
                variant::Vector2 { x: 0.0, y: 1.0 },
                variant::Vector2::default(),
            ],
        }),
        t::VECTOR4I => Variant::Vector4i(Default::default()),
        t::PLANE => Variant::Plane(Default::default()),
        t::AABB => Variant::Aabb(Default::default()),
        t::BASIS => Variant::Basis(identity_basis()),
        t::TRANSFORM3D => Variant::Transform3D(Box::new(variant::Transform3D {
            basis: identity_basis(),
            origin: Default::default(),
        })),
        t::PROJECTION => Variant::Projection(Box::default()),
        t::OBJECT => Variant::Object(0),
        t::PACKED_BYTE_ARRAY => Variant::PackedByteArray(Vec::new()),
        t::PACKED_INT64_ARRAY => Variant::PackedInt64Array(Vec::new()),
        t::PACKED_FLOAT64_ARRAY => Variant::PackedFloat64Array(Vec::new()),
        t::PACKED_VECTOR2_ARRAY => Variant::PackedVector2Array(Vec::new()),
        t::PACKED_COLOR_ARRAY => Variant::PackedColorArray(Vec::new()),
        t::PACKED_VECTOR4_ARRAY => Variant::PackedVector4Array(Vec::new()),
        _ => return None,
    })
}

fn identity_basis() -> variant::Basis {
    let v = |x, y, z| variant::Vector3 { x, y, z };
    variant::Basis {
        rows: [v(1.0, 0.0, 0.0), v(0.0, 1.0, 0.0), v(0.0, 0.0, 1.0)],
    }
}

/// Untyped JSON → Variant: numbers with a fraction or exponent are floats, others ints.
fn json_to_variant(json: &serde_json::Value, depth: usize) -> Result<Variant, String> {
    use serde_json::Value as J;
    if depth > 32 {
        return Err("default nested deeper than 32".into());
    }
    Ok(match json {
        J::Null => Variant::Nil,
        J::Bool(b) => Variant::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Variant::Int(i),
            None => Variant::Float(n.as_f64().ok_or("number out of range")?),
        },
        J::String(s) => Variant::String(s.clone()),
        J::Array(items) => Variant::array(
            items
                .iter()
                .map(|v| json_to_variant(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(map) => Variant::dictionary(
            map.iter()
                .map(|(k, v)| Ok((Variant::String(k.clone()), json_to_variant(v, depth + 1)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let m = Manifest::parse(
            br#"{
              "extends": "Node3D",
              "properties": [
                { "name": "speed", "type": "float", "default": 1.5, "hint": "range", "hint_string": "0,10,0.1" },
                { "name": "tint", "type": "Color", "default": [1, 0.5, 0] },
                { "name": "count", "type": "int" }
              ],
              "signals": [ { "name": "toggled", "args": [ { "name": "on", "type": "bool" } ] } ],
              "methods": [ { "name": "generate", "args": [ { "name": "rings", "type": "int" } ], "return": "Dictionary" } ]
            }"#,
        )
        .unwrap();
        assert_eq!(m.extends, "Node3D");
        assert_eq!(m.property("speed").unwrap().default, Variant::Float(1.5));
        assert_eq!(m.property("speed").unwrap().hint, "range");
        assert_eq!(
            m.property("tint").unwrap().default,
            Variant::Color(variant::Color {
                r: 1.0,
                g: 0.5,
                b: 0.0,
                a: 1.0
            })
        );
        assert_eq!(m.property("count").unwrap().default, Variant::Int(0));
        assert_eq!(m.signal("toggled").unwrap().args[0].type_id, t::BOOL);
        assert_eq!(m.method("generate").unwrap().return_type, t::DICTIONARY);
    }

    #[test]
    fn every_problem_has_a_code_and_a_path() {
        let cases: &[(&str, &str, &str)] = &[
            ("{", "bad_json", ""),
            (r#"{"color": 1}"#, "bad_json", ""),
            (
                r#"{"properties":[{"name":"x","type":"float3"}]}"#,
                "unknown_type",
                "properties[0].type",
            ),
            (
                r#"{"properties":[{"name":"x","type":"int","default":"a"}]}"#,
                "bad_default",
                "properties[0].default",
            ),
            (
                r#"{"properties":[{"name":"x","type":"Vector3","default":[1,2]}]}"#,
                "bad_default",
                "properties[0].default",
            ),
            (
                r#"{"properties":[{"name":"x","type":"int","hint":"slider"}]}"#,
                "unknown_hint",
                "properties[0].hint",
            ),
            (
                r#"{"properties":[{"name":"x","type":"int"},{"name":"x","type":"int"}]}"#,
                "duplicate_name",
                "properties[1]",
            ),
            (
                r#"{"signals":[{"name":"bad name"}]}"#,
                "bad_name",
                "signals[0].name",
            ),
            (
                r#"{"signals":[{"name":"__ugc_x"}]}"#,
                "bad_name",
                "signals[0].name",
            ),
            (
                r#"{"methods":[{"name":"_process"}]}"#,
                "reserved_name",
                "methods[0].name",
            ),
            (
                r#"{"methods":[{"name":"m","args":[{"name":"a"},{"name":"a"}]}]}"#,
                "duplicate_name",
                "methods[0].args[1]",
            ),
            (r#"{"extends":"Node3D; rm"}"#, "bad_name", "extends"),
            (
                r#"{"instancing":"per_node"}"#,
                "bad_instancing",
                "instancing",
            ),
            (r#"{"instancing":"Shared"}"#, "bad_instancing", "instancing"),
            (r#"{"instancing":1}"#, "bad_json", ""),
        ];
        for (json, code, path) in cases {
            let e = Manifest::parse(json.as_bytes()).unwrap_err();
            assert_eq!((e.code, e.path.as_str()), (*code, *path), "{json}: {e}");
            assert!(!e.message.is_empty());
        }
        let big = vec![b' '; MAX_MANIFEST_SIZE + 1];
        assert_eq!(Manifest::parse(&big).unwrap_err().code, "too_large");
    }

    #[test]
    fn names_share_the_abi_cap_and_hint_strings_are_bounded() {
        let longest = "n".repeat(MAX_NAME_LEN);
        let too_long = format!("{longest}n");
        let slots = [
            r#"{"extends":"@"}"#,
            r#"{"properties":[{"name":"@","type":"int"}]}"#,
            r#"{"signals":[{"name":"@"}]}"#,
            r#"{"signals":[{"name":"s","args":[{"name":"@"}]}]}"#,
            r#"{"methods":[{"name":"@"}]}"#,
            r#"{"methods":[{"name":"m","args":[{"name":"@"}]}]}"#,
        ];
        let paths = [
            "extends",
            "properties[0].name",
            "signals[0].name",
            "signals[0].args[0].name",
            "methods[0].name",
            "methods[0].args[0].name",
        ];
        for (json, path) in slots.iter().zip(paths) {
            Manifest::parse(json.replace('@', &longest).as_bytes()).unwrap();
            let e = Manifest::parse(json.replace('@', &too_long).as_bytes()).unwrap_err();
            assert_eq!((e.code, e.path.as_str()), ("bad_name", path), "{e}");
            assert!(
                e.message.len() < 100,
                "the name is not echoed: {}",
                e.message
            );
        }
        let hint = |n: usize| {
            format!(
                r#"{{"properties":[{{"name":"e","type":"int","hint":"enum","hint_string":"{}"}}]}}"#,
                "a".repeat(n)
            )
        };
        Manifest::parse(hint(MAX_HINT_STRING_LEN).as_bytes()).unwrap();
        let e = Manifest::parse(hint(MAX_HINT_STRING_LEN + 1).as_bytes()).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            ("too_large", "properties[0].hint_string")
        );
    }

    #[test]
    fn instancing_defaults_to_node() {
        assert_eq!(Manifest::parse(b"{}").unwrap().instancing, Instancing::Node);
        let shared = Manifest::parse(br#"{"instancing":"shared"}"#).unwrap();
        assert_eq!(shared.instancing, Instancing::Shared);
        assert_eq!(shared.instancing.name(), "shared");
        let node = Manifest::parse(br#"{"instancing":"node"}"#).unwrap();
        assert_eq!(node.instancing, Instancing::Node);
    }

    #[test]
    fn every_type_name_round_trips_and_has_a_zero_value() {
        for (name, id) in TYPE_NAMES {
            assert_eq!(type_from_name(name), Some(*id));
            assert_eq!(type_name(*id), *name);
            let zero = zero_value(*id);
            if *id != t::NIL {
                assert_eq!(zero.type_id(), *id, "{name}");
            }
        }
    }
}
