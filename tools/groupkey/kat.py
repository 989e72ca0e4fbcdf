#!/usr/bin/env python3
"""Known-answer values for chainkm's group keys (docs/group-keys.md), computed independently of
the Java code: HKDF-SHA256 written out from RFC 5869 on Python's hmac, AES-CCM from the
'cryptography' package. GroupKeyVectorsTest pins what this prints."""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESCCM


def hkdf(ikm, salt, info, length):
    prk = hmac.new(salt if salt else bytes(32), ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:length]


def u64(n):
    return struct.pack(">Q", n)


G = b"kitchen-1/temperature"
master = bytes(range(32))
cti = bytes(range(0xA0, 0xB0))
r, w = 7, 4
nonce = bytes(range(0x10, 0x1D))
f4 = bytes(range(0x60, 0x70))  # epoch 1's value at session 4 (the window's first session)
f6 = bytes(range(0x40, 0x50))  # epoch 2's seed: it starts at session 6


def chain_next(f, j):
    return hkdf(f, None, b"chainkm/v1/group/chain" + u64(j) + G, 16)


def session_key(f, j):
    return hkdf(f, None, b"chainkm/v1/group/key" + u64(j) + G, 16)


S = hkdf(master, None, b"chainkm/v1/group/member" + cti, 32)
W = hkdf(S, None, b"chainkm/v1/group/wrap" + G, 16)
tag = hkdf(S, nonce, b"chainkm/v1/group/tag" + u64(r) + G, 8)
f5 = chain_next(f4, 5)
f7 = chain_next(f6, 7)
keys = {4: session_key(f4, 4), 5: session_key(f5, 5), 6: session_key(f6, 6), 7: session_key(f7, 7)}

# B_7: window 4..7, epochs: the one holding session 4, and one from session 6 (offset 7 - 6 = 1); one member
header = bytes([1, len(G)]) + G + u64(r) + bytes([w]) + nonce + bytes([2, 1]) + struct.pack(">H", 1)
share = bytes([r - 4]) + f4 + f6
entry = tag + AESCCM(W, tag_length=8).encrypt(nonce, share, header + tag)
broadcast = header + entry

for name, value in [("S", S), ("W", W), ("tag", tag), ("f5", f5), ("f7", f7)] + \
        [("K%d" % j, k) for j, k in sorted(keys.items())] + [("broadcast", broadcast)]:
    print(name, value.hex())
