"""Turn an operator's CustomResourceDefinition into the offline schema the deploy checks
validate its objects against: the served version's openAPIV3Schema, descriptions dropped.

    python tests/deploy/crds/extract.py CRD.yaml > tests/deploy/crds/<group>_<plural>.json

The files here were made so from the CRDs the operators publish (see README.md)."""

from __future__ import annotations

import json
import sys
from typing import Any

import yaml


def without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: without_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [without_descriptions(v) for v in node]
    return node


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        crd = yaml.safe_load(handle)
    spec = crd["spec"]
    (version,) = [v for v in spec["versions"] if v.get("storage")]
    out = {
        "apiVersion": f"{spec['group']}/{version['name']}",
        "kind": spec["names"]["kind"],
        "schema": without_descriptions(version["schema"]["openAPIV3Schema"]),
    }
    json.dump(out, sys.stdout, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
