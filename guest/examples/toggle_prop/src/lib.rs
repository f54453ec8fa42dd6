//! Interactive prop: a switch. When the game sets its `on` property (a player pressed it), the
//! script emits the declared `toggled(on: bool)` signal and changes its own look: scaled up and
//! visible glow state while on, back to normal when off. It keeps no state of its own (the
//! property lives in the host), so one shared instance serves every switch.
#![no_std]

use ugc_guest::{emit_signal, log, script, Array, Borrowed, Object, Result, Variant, Vector3};

script!(
    r#"{
  "extends": "MeshInstance3D",
  "instancing": "shared",
  "properties": [
    { "name": "on", "type": "bool", "default": false },
    { "name": "pressed_scale", "type": "float", "default": 1.25, "hint": "range", "hint_string": "1,3,0.05" }
  ],
  "signals": [ { "name": "toggled", "args": [ { "name": "on", "type": "bool" } ] } ]
}"#
);

#[no_mangle]
pub extern "C" fn _property_changed(name: i32) {
    // SAFETY: the host lends `name` for this call.
    let name = unsafe { Borrowed::new(name) };
    let mut buf = [0u8; 32];
    match name.read_str(&mut buf) {
        Ok("on") => {
            if let Err(e) = toggled() {
                log!("toggle_prop: {}", e);
            }
        }
        Ok(_) => {}
        Err(e) => log!("toggle_prop: cannot read the property name: {}", e),
    }
}

fn toggled() -> Result<()> {
    let node = Object::this()?;
    let on = node.get("on")?.to_bool()?;
    let s = if on {
        node.get("pressed_scale")?.to_float()? as f32
    } else {
        1.0
    };
    node.set("scale", &Variant::new(Vector3::new(s, s, s))?)?;
    emit_signal("toggled", Some(&Array::of(&[&on])?))
}
