#!/usr/bin/env python3
"""Reduce botocore's Glacier service model to its facts.

Reads the glacier 2012-06-01 service model shipped with the installed
botocore (data/glacier/2012-06-01/service-2.json.gz or .json), removes every
"documentation", "documentationUrl" and "examples" key at any depth, and
writes glacier-2012-06-01.json beside this script: metadata, operations
(name, http binding, input/output shape names, errors) and shapes (type,
members with location/locationName/shape, required, payload, enum, min/max,
error and exception info), with sorted keys and two-space indentation.

Every key that is not documentation is kept as it is, so the output is the
model minus its prose. Keys the script has not seen before are kept too, but
reported on stderr, so that a new kind of fact in a later botocore is noticed
rather than silently carried.

The source is recorded in metadata as "x-source" (botocore version and the
file read) and "x-source-sha256" (digest of the file's decompressed bytes).

Usage:
    python3 testdata/model/reduce.py            # rewrite the reduced model
    python3 testdata/model/reduce.py --check    # exit 1 if it is out of date
    python3 testdata/model/reduce.py --source PATH [--out PATH]

The Go tests read only the JSON output; they never run this script.
"""

import argparse
import gzip
import hashlib
import json
import os
import sys

SERVICE = "glacier"
API_VERSION = "2012-06-01"
OUT_NAME = "glacier-2012-06-01.json"

# Keys that carry prose only.
DROP = {"documentation", "documentationUrl", "examples"}

# Keys known to carry facts, per level; anything else is kept and reported.
KNOWN = {
    "top": {"version", "metadata", "operations", "shapes"},
    "operation": {"name", "http", "input", "output", "errors", "deprecated",
                  "deprecatedMessage", "authtype", "endpoint", "idempotent",
                  "httpChecksum", "auth"},
    "http": {"method", "requestUri", "responseCode"},
    "shape": {"type", "members", "required", "payload", "enum", "min", "max",
              "pattern", "member", "key", "value", "streaming", "error",
              "exception", "fault", "sensitive", "deprecated",
              "deprecatedMessage", "timestampFormat", "flattened",
              "requiresLength", "box", "union", "document"},
    "member": {"shape", "location", "locationName", "deprecated",
               "deprecatedMessage", "idempotencyToken", "jsonvalue",
               "hostLabel", "streaming", "timestampFormat", "box",
               "queryName", "xmlNamespace", "flattened"},
}


def strip_docs(node):
    """Returns node without prose keys, at any depth."""
    if isinstance(node, dict):
        return {k: strip_docs(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip_docs(v) for v in node]
    return node


def report_unknown(model):
    """Lists keys outside KNOWN as 'where: key' strings."""
    seen = []

    def check(where, obj, kind):
        for k in obj:
            if k not in KNOWN[kind]:
                seen.append("%s: %s" % (where, k))

    check("model", model, "top")
    for name, op in model.get("operations", {}).items():
        check("operation " + name, op, "operation")
        check("operation %s http" % name, op.get("http", {}), "http")
    for name, shape in model.get("shapes", {}).items():
        check("shape " + name, shape, "shape")
        for mname, member in shape.get("members", {}).items():
            check("shape %s member %s" % (name, mname), member, "member")
    return seen


def botocore_source():
    """Returns (path, botocore version) of the installed model."""
    import botocore  # imported here so --source works without botocore

    base = os.path.join(os.path.dirname(botocore.__file__), "data", SERVICE,
                        API_VERSION)
    for name in ("service-2.json.gz", "service-2.json"):
        path = os.path.join(base, name)
        if os.path.exists(path):
            return path, botocore.__version__
    sys.exit("reduce.py: no service-2.json(.gz) under " + base)


def read_bytes(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def reduce_model(raw, source_desc):
    model = json.loads(raw)
    reduced = strip_docs(model)
    unknown = report_unknown(reduced)
    for u in unknown:
        print("reduce.py: kept unfamiliar key, check it is a fact: " + u,
              file=sys.stderr)
    meta = reduced.setdefault("metadata", {})
    if meta.get("apiVersion") != API_VERSION:
        sys.exit("reduce.py: apiVersion is %r, want %r"
                 % (meta.get("apiVersion"), API_VERSION))
    meta["x-source"] = source_desc
    meta["x-source-sha256"] = hashlib.sha256(raw).hexdigest()
    return json.dumps(reduced, indent=2, sort_keys=True,
                      ensure_ascii=True) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", help="service-2.json(.gz) to read instead of "
                    "the installed botocore's")
    ap.add_argument("--out", default=os.path.join(here, OUT_NAME),
                    help="where to write (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="compare with --out instead of writing it")
    args = ap.parse_args()

    if args.source:
        path = args.source
        desc = "file " + os.path.basename(path)
    else:
        path, version = botocore_source()
        desc = "botocore %s data/%s/%s/%s" % (
            version, SERVICE, API_VERSION, os.path.basename(path))
    text = reduce_model(read_bytes(path), desc)

    if args.check:
        try:
            with open(args.out, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print("reduce.py: %s is out of date; rerun reduce.py" % args.out,
                  file=sys.stderr)
            return 1
        return 0
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    model = json.loads(text)
    print("reduce.py: wrote %s (%d operations, %d shapes) from %s"
          % (args.out, len(model["operations"]), len(model["shapes"]), desc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
