//! Link settings for the release binary that depend on the C library it is built against.
//!
//! On glibc 2.36 and later the binary's relative relocations are packed (`DT_RELR`): a
//! position-independent executable carries one 24-byte relocation per pointer in its data
//! (vtables, string tables), about 0.6 MB of akhbar's 9 MB, and packed they take a few
//! kilobytes. The loader must understand the packed form, which glibc does from 2.36, so the
//! flag is given only when the C library the binary is linked against (this machine's: the
//! build is native) is at least that; the linker then records the requirement as the symbol
//! version `GLIBC_ABI_DT_RELR`, and an older loader refuses the binary with a clear message
//! instead of crashing. Cross builds, other C libraries and debug builds are left as they are.

use std::env;
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let var = |name: &str| env::var(name).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    let linux_gnu = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if var("PROFILE") == "release" && native && linux_gnu && glibc_at_least(2, 36) {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether this machine's glibc, as `getconf GNU_LIBC_VERSION` reports it ("glibc 2.36"), is
/// at least `major.minor`; `false` when it cannot tell.
fn glibc_at_least(major: u32, minor: u32) -> bool {
    let Ok(output) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else {
        return false;
    };
    let mut parts = version.split('.').map(|part| part.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(found_major), Some(found_minor)) => (found_major, found_minor) >= (major, minor),
        _ => false,
    }
}
