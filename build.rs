//! The default theme is embedded with `include_dir!`; tell Cargo to rebuild when it changes.
fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
