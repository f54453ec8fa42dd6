fn main() {
    eprintln!("ugc-wasm: not built yet");
    std::process::exit(2);
}
