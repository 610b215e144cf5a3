//! Keys and signatures made at test time by the real signing tools: `minisign`
//! (Debian's package) and `openssl` for cosign's P-256 keys and blob signatures.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch directory of keys; each method makes or uses one by name.
pub struct Keys(pub PathBuf);

#[allow(dead_code)]
impl Keys {
    /// Keys kept in `dir` (created).
    pub fn new(dir: &Path) -> Keys {
        std::fs::create_dir_all(dir).unwrap();
        Keys(dir.to_owned())
    }

    /// A minisign key pair (no password) named `name`; returns its public key line
    /// and its key id as minisign prints it.
    pub fn minisign_key(&self, name: &str) -> (String, String) {
        let (public, secret) = (self.0.join(format!("{name}.pub")), self.0.join(name));
        run(Command::new("minisign")
            .args(["-G", "-W", "-p"])
            .arg(&public)
            .arg("-s")
            .arg(&secret));
        let text = std::fs::read_to_string(&public).unwrap();
        let mut lines = text.lines();
        let id = lines.next().unwrap().rsplit(' ').next().unwrap().to_owned();
        (lines.next().unwrap().to_owned(), id)
    }

    /// minisign's signature (prehashed, its default) of `bytes` by key `name`.
    pub fn minisign(&self, name: &str, bytes: &[u8]) -> Vec<u8> {
        let file = self.0.join("payload");
        std::fs::write(&file, bytes).unwrap();
        run(Command::new("minisign")
            .arg("-S")
            .arg("-s")
            .arg(self.0.join(name))
            .arg("-m")
            .arg(&file));
        std::fs::read(self.0.join("payload.minisig")).unwrap()
    }

    /// A P-256 key pair named `name` (`NAME.pem`, `NAME.pub`); returns the public
    /// key's path and the fingerprint the lock records (16 hex of its DER's SHA-256).
    pub fn cosign_key(&self, name: &str) -> (PathBuf, String) {
        let (secret, public) = (
            self.0.join(format!("{name}.pem")),
            self.0.join(format!("{name}.pub")),
        );
        run(Command::new("openssl")
            .args([
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
            ])
            .arg(&secret));
        run(Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&secret)
            .arg("-out")
            .arg(&public));
        let der = run(Command::new("openssl")
            .args(["pkey", "-pubin", "-outform", "DER", "-in"])
            .arg(&public));
        let digest = vx_fixture::sha256_hex(&der);
        (public, digest[..16].to_owned())
    }

    /// `cosign sign-blob`'s format: the DER ECDSA signature over SHA-256, base64.
    pub fn cosign(&self, name: &str, bytes: &[u8]) -> Vec<u8> {
        let file = self.0.join("blob");
        std::fs::write(&file, bytes).unwrap();
        let signature = run(Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(self.0.join(format!("{name}.pem")))
            .arg(&file));
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .encode(signature)
            .into_bytes()
    }
}

/// Runs `cmd`, which must succeed, and returns its stdout.
pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("run a signing tool");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
