//! Prints its arguments and environment, one per line, for the test to compare.

fn main() {
    for (i, a) in std::env::args().enumerate() {
        println!("arg {i} {a}");
    }
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (k, v) in vars {
        println!("env {k}={v}");
    }
    println!("cwd {:?}", std::env::current_dir().ok());
}
