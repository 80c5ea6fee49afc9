#!/usr/bin/python3
"""An independent Trustee RCAR (KBS protocol 0.4.0) client for interop tests.

Written only against the protocol (not PodVm's code), with Debian's python3-jwcrypto and python3-cryptography.
It speaks for a guest with Trustee's "sample" TEE: the evidence is {"svn","report_data"} where report_data is the
base64 of SHA-384 over the JCS-canonical {"additional-evidence","nonce","tee-pubkey"}.

Steps keep their state (cookies, TEE key, nonce, token, last attestation) in --state DIR so a test can act between
them (advance a fake clock, restart the server):
  rcar_client.py --url U --state D auth [--version 0.4.0] [--key p256|p521|rsa]
  rcar_client.py --url U --state D attest [--nonce N] [--report-nonce N] [--replay]
  rcar_client.py --url U --state D resource repo/type/tag [--bearer]
Each prints one JSON object: {"status": <http status>, "body": <parsed JSON or text>, "plaintext": <decrypted resource>}.
"""
import argparse
import base64
import hashlib
import http.cookiejar
import json
import os
import sys
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto import jwe, jwk


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jcs(value) -> bytes:
    # RFC 8785 for the string-only objects of the binding: sorted keys, no whitespace, minimal escaping.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class State:
    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.path = os.path.join(directory, "state.json")
        self.data = json.load(open(self.path)) if os.path.exists(self.path) else {}
        self.jar = http.cookiejar.LWPCookieJar(os.path.join(directory, "cookies.txt"))
        if os.path.exists(self.jar.filename):
            self.jar.load(ignore_discard=True, ignore_expires=True)

    def save(self):
        json.dump(self.data, open(self.path, "w"))
        self.jar.save(ignore_discard=True, ignore_expires=True)

    def private_key(self):
        return serialization.load_pem_private_key(self.data["key"].encode(), password=None)


def tee_pubkey(private_key):
    public = private_key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
        return {"kty": "RSA", "alg": "RSA-OAEP-256", "n": b64url(n), "e": b64url(e)}
    numbers = public.public_numbers()
    size = (public.curve.key_size + 7) // 8
    crv = {256: "P-256", 384: "P-384", 521: "P-521"}[public.curve.key_size]
    return {"kty": "EC", "crv": crv, "alg": "ECDH-ES+A256KW",
            "x": b64url(numbers.x.to_bytes(size, "big")), "y": b64url(numbers.y.to_bytes(size, "big"))}


def request(state, url, method="GET", body=None, headers=None):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(state.jar))
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with opener.open(req, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def parse(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--state", required=True)
    sub = parser.add_subparsers(dest="step", required=True)
    auth = sub.add_parser("auth")
    auth.add_argument("--version", default="0.4.0")
    auth.add_argument("--key", default="p256", choices=["p256", "p521", "rsa"])
    attest = sub.add_parser("attest")
    attest.add_argument("--nonce")
    attest.add_argument("--report-nonce")
    attest.add_argument("--replay", action="store_true")
    resource = sub.add_parser("resource")
    resource.add_argument("path")
    resource.add_argument("--bearer", action="store_true")
    args = parser.parse_args()
    state = State(args.state)
    base = args.url.rstrip("/") + "/kbs/v0"
    result = {}

    if args.step == "auth":
        if args.key == "rsa":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            key = ec.generate_private_key(ec.SECP256R1() if args.key == "p256" else ec.SECP521R1())
        state.data["key"] = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()).decode()
        body = {"version": args.version, "tee": "sample",
                "extra-params": {"supported-hash-algorithms": ["sha256", "sha384", "sha512"]}}
        status, text = request(state, base + "/auth", "POST", body)
        if status == 200:
            state.data["nonce"] = json.loads(text)["nonce"]
        result = {"status": status, "body": parse(text)}

    elif args.step == "attest":
        if args.replay:
            attestation = state.data["last_attestation"]
        else:
            nonce = args.nonce or state.data["nonce"]
            pubkey = tee_pubkey(state.private_key())
            runtime = {"tee-pubkey": pubkey, "nonce": args.report_nonce or nonce, "additional-evidence": ""}
            digest = hashlib.sha384(jcs(runtime)).digest()
            attestation = {
                "runtime-data": {"nonce": nonce, "tee-pubkey": pubkey},
                "tee-evidence": {"primary_evidence": {"svn": "1", "report_data": base64.b64encode(digest).decode()},
                                 "additional_evidence": ""},
            }
        state.data["last_attestation"] = attestation
        status, text = request(state, base + "/attest", "POST", attestation)
        if status == 200:
            state.data["token"] = json.loads(text)["token"]
        result = {"status": status, "body": parse(text)}

    elif args.step == "resource":
        headers = {}
        if args.bearer:
            headers["Authorization"] = "Bearer " + state.data["token"]
            state.jar.clear()
        status, text = request(state, base + "/resource/" + args.path, "GET", None, headers)
        result = {"status": status, "body": parse(text)}
        if status == 200:
            private_pem = state.data["key"].encode()
            key = jwk.JWK.from_pem(private_pem)
            token = jwe.JWE()
            token.deserialize(text, key=key)
            result["plaintext"] = token.payload.decode()
            result["protected"] = json.loads(base64.urlsafe_b64decode(json.loads(text)["protected"] + "=="))

    state.save()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
