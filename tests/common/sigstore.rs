//! A Sigstore of the test's own: a Fulcio-like CA (a root and an intermediate), leaf
//! certificates with Fulcio's OIDC extensions, a Rekor-like log key signing each
//! entry's signed entry timestamp, the `trusted_root.json` naming them, and bundles
//! (Sigstore bundle v0.1 JSON) of blobs and of in-toto statements made from them.

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, ExtendedKeyUsagePurpose,
    IsCa, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PublicKeyData, SanType, date_time_ymd,
};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use serde_json::json;

/// Fulcio's OIDC issuer extension (a DER UTF8String).
const ISSUER_V2: &[u64] = &[1, 3, 6, 1, 4, 1, 57264, 1, 8];
/// Fulcio's legacy OIDC issuer extension (the raw string).
const ISSUER_V1: &[u64] = &[1, 3, 6, 1, 4, 1, 57264, 1, 1];
/// Build Signer URI.
const BUILD_SIGNER_URI: &[u64] = &[1, 3, 6, 1, 4, 1, 57264, 1, 9];
/// Source Repository URI.
const SOURCE_REPOSITORY_URI: &[u64] = &[1, 3, 6, 1, 4, 1, 57264, 1, 12];

/// GitHub Actions' OIDC issuer.
pub const ACTIONS: &str = "https://token.actions.githubusercontent.com";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// A DER UTF8String.
fn utf8_string(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut der = vec![0x0c];
    match bytes.len() {
        n if n < 0x80 => der.push(n as u8),
        n if n < 0x100 => der.extend([0x81, n as u8]),
        n => der.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    der.extend_from_slice(bytes);
    der
}

fn signer(key: &KeyPair) -> EcdsaKeyPair {
    EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_ASN1_SIGNING,
        &key.serialize_der(),
        &SystemRandom::new(),
    )
    .unwrap()
}

fn sign(key: &KeyPair, message: &[u8]) -> Vec<u8> {
    signer(key)
        .sign(&SystemRandom::new(), message)
        .unwrap()
        .as_ref()
        .to_vec()
}

/// What a leaf certificate says.
pub struct Leaf {
    /// The SAN URI.
    pub identity: String,
    /// The OIDC issuer.
    pub issuer: String,
    /// The Source Repository URI extension, if any.
    pub source: Option<String>,
    /// Valid from, to: (year, month, day) each.
    pub valid: ((i32, u8, u8), (i32, u8, u8)),
}

impl Leaf {
    /// A GitHub Actions workflow's certificate, valid from 2020 to 2099.
    pub fn workflow(identity: &str) -> Leaf {
        Leaf {
            identity: identity.to_owned(),
            issuer: ACTIONS.to_owned(),
            source: None,
            valid: ((2020, 1, 1), (2099, 1, 1)),
        }
    }
}

/// A CA, an intermediate and a log key.
pub struct Sigstore {
    root: CertifiedIssuer<'static, KeyPair>,
    intermediate: CertifiedIssuer<'static, KeyPair>,
    log: KeyPair,
}

impl Default for Sigstore {
    fn default() -> Self {
        Self::new()
    }
}

impl Sigstore {
    pub fn new() -> Sigstore {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = date_time_ymd(2000, 1, 1);
        params.not_after = date_time_ymd(2100, 1, 1);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "test sigstore root");
        let root = CertifiedIssuer::self_signed(
            params.clone(),
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        )
        .unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "test sigstore intermediate");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let intermediate = CertifiedIssuer::signed_by(
            params,
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
            &root,
        )
        .unwrap();
        Sigstore {
            root,
            intermediate,
            log: KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        }
    }

    fn log_id(&self) -> Vec<u8> {
        sha256(&self.log.subject_public_key_info())
    }

    /// The `trusted_root.json` naming this CA and log (no CT log, no timestamp
    /// authority).
    pub fn trusted_root(&self) -> String {
        json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [{
                "baseUrl": "https://rekor.test",
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": b64(&self.log.subject_public_key_info()),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": "2000-01-01T00:00:00Z"}
                },
                "logId": {"keyId": b64(&self.log_id())}
            }],
            "certificateAuthorities": [{
                "subject": {"organization": "test", "commonName": "test"},
                "uri": "https://fulcio.test",
                "certChain": {"certificates": [
                    {"rawBytes": b64(self.intermediate.der())},
                    {"rawBytes": b64(self.root.der())}
                ]},
                "validFor": {"start": "2000-01-01T00:00:00Z"}
            }],
            "ctlogs": [],
            "timestampAuthorities": []
        })
        .to_string()
    }

    /// A leaf certificate (DER) and its key.
    pub fn leaf(&self, leaf: &Leaf) -> (Vec<u8>, KeyPair) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.subject_alt_names = vec![SanType::URI(leaf.identity.as_str().try_into().unwrap())];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        let ((y1, m1, d1), (y2, m2, d2)) = leaf.valid;
        params.not_before = date_time_ymd(y1, m1, d1);
        params.not_after = date_time_ymd(y2, m2, d2);
        params.custom_extensions = vec![
            CustomExtension::from_oid_content(ISSUER_V1, leaf.issuer.as_bytes().to_vec()),
            CustomExtension::from_oid_content(ISSUER_V2, utf8_string(&leaf.issuer)),
            CustomExtension::from_oid_content(BUILD_SIGNER_URI, utf8_string(&leaf.identity)),
        ];
        if let Some(source) = &leaf.source {
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(
                    SOURCE_REPOSITORY_URI,
                    utf8_string(source),
                ));
        }
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = params.signed_by(&key, &self.intermediate).unwrap();
        (cert.der().to_vec(), key)
    }

    /// A transparency-log entry for `body` (its canonical JSON), integrated a minute
    /// ago, with its signed entry timestamp.
    fn entry(&self, kind: &str, body: &serde_json::Value) -> serde_json::Value {
        let body = serde_json_canonical(body);
        let integrated = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 60;
        let promise = serde_json_canonical(&json!({
            "body": b64(body.as_bytes()),
            "integratedTime": integrated,
            "logID": hex(&self.log_id()),
            "logIndex": 7,
        }));
        json!({
            "logIndex": "7",
            "logId": {"keyId": b64(&self.log_id())},
            "kindVersion": {"kind": kind, "version": "0.0.1"},
            "integratedTime": integrated.to_string(),
            "inclusionPromise": {"signedEntryTimestamp": b64(&sign(&self.log, promise.as_bytes()))},
            "canonicalizedBody": b64(body.as_bytes())
        })
    }

    /// `cosign sign-blob --bundle`'s bundle of `artifact`, signed with `leaf`.
    pub fn blob_bundle(&self, leaf: &Leaf, artifact: &[u8]) -> Vec<u8> {
        let (cert, key) = self.leaf(leaf);
        let digest = sha256(artifact);
        let signature = sign(&key, artifact);
        let body = json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": hex(&digest)}},
                "signature": {
                    "content": b64(&signature),
                    "publicKey": {"content": b64(pem(&cert).as_bytes())}
                }
            }
        });
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
            "verificationMaterial": {
                "x509CertificateChain": {"certificates": [{"rawBytes": b64(&cert)}]},
                "tlogEntries": [self.entry("hashedrekord", &body)]
            },
            "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": b64(&digest)},
                "signature": b64(&signature)
            }
        })
        .to_string()
        .into_bytes()
    }

    /// A bundle of a DSSE envelope holding an in-toto statement about `subject`
    /// (its SHA-256) with `predicate_type`, signed with `leaf`.
    pub fn attestation(
        &self,
        leaf: &Leaf,
        subject: &[u8],
        predicate_type: &str,
    ) -> serde_json::Value {
        let (cert, key) = self.leaf(leaf);
        let statement = json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "tool.tar.gz", "digest": {"sha256": hex(&sha256(subject))}}],
            "predicateType": predicate_type,
            "predicate": {"buildDefinition": {}}
        })
        .to_string();
        let payload_type = "application/vnd.in-toto+json";
        let pae = format!(
            "DSSEv1 {} {payload_type} {} {statement}",
            payload_type.len(),
            statement.len()
        );
        let signature = sign(&key, pae.as_bytes());
        let envelope = json!({
            "payload": b64(statement.as_bytes()),
            "payloadType": payload_type,
            "signatures": [{"sig": b64(&signature), "keyid": ""}]
        });
        let body = json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": hex(&sha256(envelope.to_string().as_bytes()))},
                "payloadHash": {"algorithm": "sha256", "value": hex(&sha256(statement.as_bytes()))},
                "signatures": [{"signature": b64(&signature), "verifier": b64(pem(&cert).as_bytes())}]
            }
        });
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
            "verificationMaterial": {
                "x509CertificateChain": {"certificates": [{"rawBytes": b64(&cert)}]},
                "tlogEntries": [self.entry("dsse", &body)]
            },
            "dsseEnvelope": envelope
        })
    }
}

/// JSON with its keys sorted and no spaces (RFC 8785 for the plain values used here).
fn serde_json_canonical(value: &serde_json::Value) -> String {
    // serde_json's maps are sorted (no `preserve_order`), and `to_string` writes no spaces.
    value.to_string()
}

/// A certificate as PEM.
fn pem(der: &[u8]) -> String {
    let body = b64(der);
    let mut text = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in body.as_bytes().chunks(64) {
        text.push_str(std::str::from_utf8(chunk).unwrap());
        text.push('\n');
    }
    text.push_str("-----END CERTIFICATE-----\n");
    text
}
